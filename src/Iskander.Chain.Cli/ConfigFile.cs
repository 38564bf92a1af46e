using System.Text.Json;

namespace Iskander.Chain.Cli;

/// <summary>
/// The optional settings file (<c>$ISKANDER_CONFIG</c>, else <c>iskander-chain.json</c> in the default
/// data folder): a JSON object whose names are the documented <c>ISKANDER_*</c> variables. The
/// environment wins over the file. Secrets are refused in the file (keys, passwords, API keys, the
/// webhook token come only from the environment or keystores), and unknown names are errors, so a
/// typo never silently falls back to a default.
/// </summary>
internal static class ConfigFile
{
    public const string ConfigVariable = "ISKANDER_CONFIG";
    public const string DefaultName = "iskander-chain.json";

    private static readonly HashSet<string> Settings =
    [
        "ISKANDER_DATA_DIR", "ISKANDER_RPC_URL", "ISKANDER_DATABASE", "ISKANDER_DATABASE_OWNER", "ISKANDER_LOOMIO_URL", "ISKANDER_LOOMIO_GROUPS", "ISKANDER_LOOMIO_REQUESTS_PER_5_MINUTES", "ISKANDER_KEYSTORE", "ISKANDER_DEPLOYMENT",
        "ISKANDER_CONFIRMATIONS", "ISKANDER_RECONCILE_HORIZON", "ISKANDER_CONSENT_WINDOW_HOURS", "ISKANDER_AUDIT_ANCHOR_MINUTES", "ISKANDER_ESCROW_DEADLINE_WINDOW_HOURS", "ISKANDER_KUBO_URL", "ISKANDER_LISTEN", "ISKANDER_API_URL", "ISKANDER_PTAU_DIR",
        "ISKANDER_BALLOTS", "ISKANDER_COORDINATOR_KEYSTORE", "ISKANDER_CIRCUITS_DIR", "ISKANDER_BALLOT_PTAU", "ISKANDER_BALLOT_PTAU_POWER", "ISKANDER_BALLOT_PTAU_SHA256",
        "ISKANDER_ALLOW_INSECURE_BALLOT_KEYS", "ISKANDER_BALLOT_PROVER", "ISKANDER_PUBLIC_RECORDS", "ISKANDER_PUBLIC_RPC_URL",
    ];

    private static readonly HashSet<string> Secrets =
        [
            "ISKANDER_ANCHORER_KEY", "ISKANDER_KEYSTORE_PASSWORD", "ISKANDER_LOOMIO_API_KEY", "ISKANDER_HOOK_TOKEN", "ISKANDER_MEMBER_KEY", "ISKANDER_MEMBER_KEYSTORE_PASSWORD",
            "ISKANDER_COORDINATOR_KEYSTORE_PASSWORD", "ISKANDER_BALLOT_KEY_PASSWORD", "ISKANDER_RELAY_KEY", "ISKANDER_READ_TOKEN",
        ];

    /// <summary>Applies the settings file if there is one; returns the problems found (empty when none), each naming the setting.</summary>
    public static IReadOnlyList<string> Apply(string defaultDataDirectory)
    {
        var configured = Environment.GetEnvironmentVariable(ConfigVariable);
        var path = configured is { Length: > 0 } ? Path.GetFullPath(configured) : Path.Combine(defaultDataDirectory, DefaultName);
        if (!File.Exists(path)) return configured is { Length: > 0 } ? [$"{ConfigVariable}: {path} does not exist"] : [];

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [$"{path} is not valid JSON: {ex.Message}"];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return [$"{path} must hold a JSON object of settings"];
            var problems = new List<string>();
            var values = new Dictionary<string, string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (Secrets.Contains(property.Name))
                {
                    problems.Add($"{path}: {property.Name} is a secret and is never read from a file; set it in the environment (or use a keystore)");
                    continue;
                }

                if (!Settings.Contains(property.Name))
                {
                    problems.Add($"{path}: unknown setting '{property.Name}'");
                    continue;
                }

                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    JsonValueKind.Array when property.Value.EnumerateArray().All(e => e.ValueKind is JsonValueKind.Number or JsonValueKind.String) =>
                        string.Join(",", property.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                    _ => null,
                };
                if (value is null) problems.Add($"{path}: {property.Name} must be a string, a number or a list of them");
                else values[property.Name] = value;
            }

            if (problems.Count > 0) return problems;
            foreach (var (name, value) in values)
            {
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) Environment.SetEnvironmentVariable(name, value);
            }

            return [];
        }
    }
}
