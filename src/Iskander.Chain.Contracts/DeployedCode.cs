using System.Text.Json;
using System.Text.RegularExpressions;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Contracts;

/// <summary>
/// Whether a contract on chain is a given forge build: its runtime code equals the artifact's except
/// where construction and linking write (immutables, linked library addresses, a library's own
/// address), and every linked library is, in turn, its build. A contract is otherwise free to answer
/// anything, so a verifier that only knows an address must check this before believing its views.
/// </summary>
public static partial class DeployedCode
{
    /// <summary>Null when the code at <paramref name="address"/> is the build in <paramref name="artifactPath"/>; else why not.</summary>
    /// <exception cref="FileNotFoundException">The artifact (or a linked library's, beside it in <c>out/</c>) is not built.</exception>
    public static Task<string?> MismatchAsync(EthClient client, Address address, string artifactPath, CancellationToken cancellationToken = default) =>
        MismatchAsync(client, address, artifactPath, isLibrary: false, cancellationToken);

    private static async Task<string?> MismatchAsync(EthClient client, Address address, string artifactPath, bool isLibrary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!File.Exists(artifactPath)) throw new FileNotFoundException($"forge artifact {artifactPath} not found; run forge build", artifactPath);
        var name = Path.GetFileNameWithoutExtension(artifactPath);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(artifactPath, cancellationToken).ConfigureAwait(false));
        var deployed = document.RootElement.GetProperty("deployedBytecode");
        // Unlinked library references are __$…$__ placeholders: 20 bytes, compared as zeros.
        var expected = Hex.Decode(LinkPlaceholder().Replace(deployed.GetProperty("object").GetString()!, new string('0', 40)));
        var code = Hex.Decode((await client.Rpc.CallAsync("eth_getCode", [address.ToString(), "latest"], cancellationToken).ConfigureAwait(false)).GetString()!);
        if (code.Length != expected.Length) return $"{address} holds {code.Length} bytes of code, the build of {name} {expected.Length}";

        var written = new List<(int Start, int Length)>();
        if (isLibrary) written.Add((1, 20)); // a library's code pushes its own address (call protection)
        if (deployed.TryGetProperty("immutableReferences", out var immutables))
        {
            written.AddRange(immutables.EnumerateObject().SelectMany(i => i.Value.EnumerateArray()).Select(Range));
        }

        var libraries = new List<(string Name, Address Address)>();
        foreach (var library in deployed.GetProperty("linkReferences").EnumerateObject().SelectMany(file => file.Value.EnumerateObject()))
        {
            var positions = library.Value.EnumerateArray().Select(Range).ToList();
            var linked = positions.Select(p => new Address(code.AsSpan(p.Start, 20))).Distinct().ToList();
            if (linked.Count != 1) return $"{name} at {address} links {library.Name} at {linked.Count} different addresses";
            written.AddRange(positions);
            libraries.Add((library.Name, linked[0]));
        }

        foreach (var (start, length) in written)
        {
            code.AsSpan(start, length).Clear();
            expected.AsSpan(start, length).Clear();
        }

        if (!code.AsSpan().SequenceEqual(expected)) return $"the code at {address} is not the build of {name}";
        foreach (var (library, at) in libraries)
        {
            var artifact = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(artifactPath))!, library + ".sol", library + ".json");
            if (await MismatchAsync(client, at, artifact, isLibrary: true, cancellationToken).ConfigureAwait(false) is { } reason) return $"{name} links {library} at {at}: {reason}";
        }

        return null;
    }

    private static (int Start, int Length) Range(JsonElement reference) => (reference.GetProperty("start").GetInt32(), reference.GetProperty("length").GetInt32());

    [GeneratedRegex(@"__\$[0-9a-fA-F]{34}\$__")]
    private static partial Regex LinkPlaceholder();
}
