using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain member list|show|consent</c>: the membership mirrored from CoopIdentity, and the
/// member's side of an admission — signing the ERC-4973 agreement with their own key (a keystore, or
/// <c>$ISKANDER_MEMBER_KEY</c>) and handing the signature to the bridge's API.
/// </summary>
internal static class MemberCommand
{
    public const string MemberKeyVariable = "ISKANDER_MEMBER_KEY";
    public const string MemberKeystorePasswordVariable = "ISKANDER_MEMBER_KEYSTORE_PASSWORD";

    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var all = new Option<bool>("--all") { Description = "Include ended memberships (revoked, left)." };
        var list = new Command("list", "List members as the bridge mirrors them from the chain.") { all, dataDirectory };
        list.SetAction((parseResult, cancellationToken) => BridgeDatabaseAccess.WithDatabaseAsync(parseResult, dataDirectory, async (database, _) =>
        {
            var memberships = await MembershipQueries.MembershipsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
            var shown = parseResult.GetValue(all) ? memberships : memberships.Where(m => m.Status == "active").ToList();
            foreach (var membership in shown) Console.WriteLine(Line(membership));
            Console.WriteLine($"{memberships.Count(m => m.Status == "active")} current member(s), {memberships.Count(m => m.Status != "active")} ended membership(s)");
            return 0;
        }, cancellationToken));

        var address = new Argument<string>("address") { Description = "The member's address." };
        var show = new Command("show", "Show one address's memberships and the decisions that admitted and revoked them.") { address, dataDirectory };
        show.SetAction((parseResult, cancellationToken) => BridgeDatabaseAccess.WithDatabaseAsync(parseResult, dataDirectory, async (database, _) =>
        {
            if (!TryAddress(parseResult.GetValue(address)!, out var member)) return 2;
            var memberships = await MembershipQueries.MembershipsAsync(database, member, cancellationToken).ConfigureAwait(false);
            if (memberships.Count == 0) Console.WriteLine($"{member.ToChecksumString()} has never held a membership token");
            foreach (var membership in memberships)
            {
                Console.WriteLine(Line(membership));
                Console.WriteLine($"    admitted by {Decision(membership.Admission)} in block {membership.AdmittedInBlock}");
                if (membership.Revocation is { } revocation) Console.WriteLine($"    revoked by {Decision(revocation)} in block {membership.EndedInBlock}");
                else if (membership.Status == "left") Console.WriteLine($"    left (unequipped) in block {membership.EndedInBlock}");
            }

            // What decisions order about this address and has not run yet: public, and vetoable until it does.
            var now = DateTimeOffset.UtcNow;
            foreach (var action in (await GovernanceActions.ListAsync(database, cancellationToken: cancellationToken, member: member).ConfigureAwait(false)).Where(a => a.Status is not ("executed" or "duplicate")))
            {
                Console.WriteLine($"    {action.Kind} ordered by {action.PollKey} v{action.Version}: {action.Status}{(action.Reason is null ? "" : $" ({action.Reason})")}");
                if (action.ScheduleText(now) is { } schedule) Console.WriteLine($"        {schedule}");
            }

            return 0;
        }, cancellationToken));

        return new Command("member", "Membership tokens: the mirror, and consenting to an admission.") { list, show, Consent() };
    }

    private static Command Consent()
    {
        var api = new Option<string>("--api")
        {
            Description = "The bridge's HTTP address (default: $ISKANDER_API_URL, else http://127.0.0.1:8480).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISKANDER_API_URL") is { Length: > 0 } value ? value : "http://127.0.0.1:8480",
        };
        var keystore = new Option<FileInfo?>("--keystore") { Description = $"The member's keystore (Web3 Secret Storage v3; password from ${MemberKeystorePasswordVariable}). Without it: ${MemberKeyVariable}." };
        var action = new Option<long?>("--action") { Description = "Consent to this admission only (default: every admission awaiting this key's consent)." };
        var deployment = new Option<string?>("--deployment") { Description = $"The cooperative's deployment manifest, which you trust (default: ${BridgeRuntime.DeploymentVariable}): only agreements for its CoopIdentity on its chain are signed." };
        var command = new Command("consent", "Sign the membership agreement(s) awaiting your consent and send the signature to the bridge.") { api, keystore, action, deployment };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            PrivateKey key;
            Contracts.DeploymentManifest trusted;
            try
            {
                key = MemberKey(parseResult.GetValue(keystore));
                // The bridge serves the typed data; the contract it names must come from the member's side,
                // or a hostile bridge could collect consents bound to a contract of its own.
                var manifestPath = parseResult.GetValue(deployment) ?? Environment.GetEnvironmentVariable(BridgeRuntime.DeploymentVariable);
                if (string.IsNullOrWhiteSpace(manifestPath))
                {
                    throw new InvalidOperationException($"name the cooperative's deployment you trust: --deployment FILE or {BridgeRuntime.DeploymentVariable} (nothing was signed)");
                }

                trusted = Contracts.DeploymentManifest.Load(manifestPath);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or JsonException)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            using var http = new HttpClient { BaseAddress = new Uri(parseResult.GetValue(api)!) };
            // The bridge lists a member's pending admissions to that member only: a short-lived challenge, bound to the
            // trusted deployment (built here, not taken from the bridge), signed with the member's key.
            var until = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds();
            http.DefaultRequestHeaders.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(
                Host.Api.ReadAccess.SignatureHeader(key, Host.Api.ReadAccess.Challenge(trusted.ChainId, trusted["DecisionAnchor"].Address, until), until));
            var pending = await http.GetFromJsonAsync<JsonElement>($"/api/members/pending?member={key.Address}", cancellationToken).ConfigureAwait(false);
            var consented = 0;
            foreach (var item in pending.GetProperty("pending").EnumerateArray())
            {
                var id = item.GetProperty("actionId").GetInt64();
                if (parseResult.GetValue(action) is { } only && only != id) continue;
                var agreement = MembershipAgreement.Parse(item.GetProperty("typedData").GetRawText());
                if (agreement.Member != key.Address) continue;
                var domain = agreement.TypedData.Domain;
                var contract = domain.GetProperty("verifyingContract").GetString();
                var chainId = domain.GetProperty("chainId").ToString();
                if (!string.Equals(contract, trusted["CoopIdentity"].Address.ToString(), StringComparison.OrdinalIgnoreCase)
                    || chainId != trusted.ChainId.ToString(CultureInfo.InvariantCulture))
                {
                    Console.Error.WriteLine($"Admission {id}: the bridge asks for consent to CoopIdentity {contract} on chain {chainId}, not the cooperative's " +
                        $"{trusted["CoopIdentity"].Address} on chain {trusted.ChainId}: refused, nothing signed");
                    return 1;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Admission {id}: {key.Address.ToChecksumString()} as '{item.GetProperty("role").GetString()}', ordered by poll {item.GetProperty("pollKey").GetString()} v{item.GetProperty("version").GetInt32()}; CoopIdentity {domain.GetProperty("verifyingContract").GetString()} on chain {domain.GetProperty("chainId")}"));
                using var response = await http.PostAsJsonAsync("/api/members/consent", new { actionId = id, signature = Hex.Encode(agreement.Sign(key)) }, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"    refused: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
                    return 1;
                }

                Console.WriteLine("    consent sent; the bridge issues the token");
                consented++;
            }

            if (consented == 0) Console.WriteLine($"no admission awaits the consent of {key.Address.ToChecksumString()}");
            return 0;
        });
        return command;
    }

    internal static PrivateKey MemberKey(FileInfo? keystore)
    {
        if (keystore is not null)
        {
            var password = Environment.GetEnvironmentVariable(MemberKeystorePasswordVariable) ?? throw new InvalidOperationException($"set {MemberKeystorePasswordVariable} to open {keystore.FullName}");
            try
            {
                return KeystoreV3.Decrypt(File.ReadAllText(keystore.FullName), password);
            }
            catch (Exception ex) when (ex is KeystorePasswordException or FormatException or JsonException or IOException)
            {
                throw new InvalidOperationException($"cannot open the keystore {keystore.FullName}: {ex.Message}");
            }
        }

        if (Environment.GetEnvironmentVariable(MemberKeyVariable) is not { Length: > 0 } hex) throw new InvalidOperationException($"no key: pass --keystore or set {MemberKeyVariable}");
        try
        {
            return PrivateKey.FromHex(hex);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"{MemberKeyVariable} is not a valid secp256k1 private key (32 bytes of hex)");
        }
    }

    private static bool TryAddress(string text, out Address address)
    {
        try
        {
            address = Address.Parse(text);
            return true;
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine(ex.Message);
            address = default;
            return false;
        }
    }

    private static string Decision(MembershipDecision decision) =>
        decision.PollKey is null ? $"action leaf {decision.Leaf} (not ordered through this bridge)" : $"poll {decision.PollKey} v{decision.Version} (action leaf {decision.Leaf})";

    private static string Line(MembershipRecord membership) => string.Create(CultureInfo.InvariantCulture,
        $"{membership.Member.ToChecksumString()}  {membership.Role,-12} {membership.Status,-8} token 0x{membership.TokenId.ToString("x64", CultureInfo.InvariantCulture)[^64..]}");
}
