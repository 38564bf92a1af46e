using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Cli;

/// <summary>
/// The voter's side of a secret ballot: a BabyJubJub key kept encrypted (Web3 Secret Storage v3,
/// password from <c>$ISKANDER_BALLOT_KEY_PASSWORD</c>), sign-up with the member's Ethereum key, and
/// votes, key changes and withdrawals published from any funded account. Under MACI's rules the
/// latest message with nonce 1 signed by the registered key decides; so <c>vote</c> again to change
/// a vote, out of anyone's sight. Messages go through the bridge's relay by default (sent on chain
/// from the bridge's key, so the member's address is not beside them); <c>--direct</c> sends them
/// from the member's account or <c>$ISKANDER_RELAY_KEY</c>.
/// </summary>
internal static class BallotVoterCommands
{
    public const string KeyPasswordVariable = "ISKANDER_BALLOT_KEY_PASSWORD";
    public const string RelayKeyVariable = "ISKANDER_RELAY_KEY";

    private static readonly Option<string> BallotAddress = new("--ballot") { Description = "The MACIVoting contract.", Required = true };
    private static readonly Option<string?> Rpc = new("--rpc") { Description = "JSON-RPC URL (default: $ISKANDER_RPC_URL)." };
    private static readonly Option<FileInfo> KeyFile = new("--key") { Description = "The ballot key file (from keygen).", Required = true };

    private static readonly Option<string> Api = new("--api")
    {
        Description = "The bridge whose relay publishes the message (default: $ISKANDER_API_URL, else http://127.0.0.1:8480).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISKANDER_API_URL") is { Length: > 0 } value ? value : "http://127.0.0.1:8480",
    };

    private static readonly Option<bool> Direct = new("--direct")
    {
        Description = $"Publish from your own account (or ${RelayKeyVariable}) instead of the bridge's relay: a watcher then sees which address sent a message.",
    };

    public static IEnumerable<Command> Create() => [KeyGen(), SignUp(), Vote(), ChangeKey(), Invalidate(), Status(), Verify()];

    private static Command KeyGen()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the encrypted key.", Required = true };
        var command = new Command("keygen", $"Create a ballot key, stored encrypted (password from ${KeyPasswordVariable}).") { output };
        command.SetAction(parseResult =>
        {
            var password = Environment.GetEnvironmentVariable(KeyPasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine($"set {KeyPasswordVariable}: the key is never written in clear");
                return 2;
            }

            var (key, json) = BallotKeyFile.Create(password);
            WriteKeyFile(parseResult.GetValue(output)!, json);
            Console.WriteLine(key.PublicKey().Serialize());
            return 0;
        });
        return command;
    }

    private static Command SignUp()
    {
        var keystore = new Option<FileInfo?>("--member-keystore") { Description = $"The member's Ethereum keystore (password ${MemberCommand.MemberKeystorePasswordVariable}); else ${MemberCommand.MemberKeyVariable}." };
        var command = new Command("signup", "Register the ballot key for the member (a current CoopIdentity member, once).") { BallotAddress, Rpc, KeyFile, keystore };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, async (ballot, key, _) =>
        {
            var member = MemberCommand.MemberKey(parseResult.GetValue(keystore));
            var index = await ballot.WithSender(Sender(ballot, member)).SignUpAsync(key.PublicKey(), cancellationToken).ConfigureAwait(false);
            SaveIndex(parseResult.GetValue(KeyFile)!, ballot.Address, index);
            Console.WriteLine($"signed up {member.Address.ToChecksumString()} as voter {index} with {key.PublicKey().Serialize()}");
        }));
        return command;
    }

    private static Command Vote()
    {
        var option = new Argument<int>("option") { Description = "Option index (from 0)." };
        var command = new Command("vote", "Vote for an option (again to change the vote; the latest counts).") { option, BallotAddress, Rpc, KeyFile, Api, Direct };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, (ballot, key, coordinator) =>
            PublishAsync(ballot, key, key.PublicKey(), (ulong)parseResult.GetValue(option), 1, coordinator, parseResult, "vote", cancellationToken)));
        return command;
    }

    private static Command ChangeKey()
    {
        var newKey = new Option<FileInfo>("--new-key") { Description = "Where to write the new key (encrypted).", Required = true };
        var option = new Option<int?>("--vote") { Description = "Also vote for this option in the same message." };
        var command = new Command("change-key", "Change the ballot key (the anti-coercion move), optionally voting in the same message.") { newKey, option, BallotAddress, Rpc, KeyFile, Api, Direct };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, async (ballot, key, coordinator) =>
        {
            var (next, json) = BallotKeyFile.Create(Environment.GetEnvironmentVariable(KeyPasswordVariable)!);
            WriteKeyFile(parseResult.GetValue(newKey)!, json);
            var vote = parseResult.GetValue(option);
            await PublishAsync(ballot, key, next.PublicKey(), (ulong)(vote ?? 0), vote is null ? 0UL : 1UL, coordinator, parseResult, "key change", cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Invalidate()
    {
        var command = new Command("invalidate", "Withdraw: every earlier vote stops counting (a key change to a throwaway key with no vote).") { BallotAddress, Rpc, KeyFile, Api, Direct };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, (ballot, key, coordinator) =>
            PublishAsync(ballot, key, MaciPrivateKey.Generate().PublicKey(), 0, 0, coordinator, parseResult, "withdrawal", cancellationToken)));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "The ballot's phase, participation and, once published, its results.") { BallotAddress, Rpc };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var ballot = Connect(parseResult);
            var status = await ballot.StatusAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"ballot {ballot.Address}: voting {(status.VotingClosed ? "closed" : $"open until {status.VotingDeadline:u}")}; {status.NumSignups - 1} member(s) signed up, {status.NumMessages} message(s)");
            Console.WriteLine(status.ResultsPublished
                ? "results (verified on chain): " + string.Join(", ", (await ballot.ResultsAsync(cancellationToken).ConfigureAwait(false)).Select((r, i) => $"option {i}: {r}"))
                : status.VotingClosed ? $"proving: {(status.ProcessingComplete ? "every batch verified" : $"batch {status.CurrentBatch} next")}; tally {status.TallyBatchesProven} of {status.TallyBatchCount} batch(es) verified" : "no results before the deadline");
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var deployment = new Option<string?>("--deployment")
        {
            Description = $"The cooperative's deployment manifest: the ballot must gate on its CoopIdentity, on its chain (default: ${BridgeRuntime.DeploymentVariable}).",
        };
        var command = new Command("verify", "Check from chain data alone that the ballot is the exported MACIVoting of the cooperative, every batch and every tally batch were proven by the expected verifiers and the results match the last tally commitment.")
        {
            BallotAddress, Rpc, deployment,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var ballot = Connect(parseResult);
            var outDirectory = Path.Combine(ProjectLayout.Discover().Root, "out");
            var chainId = await ballot.Client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
            var manifestPath = parseResult.GetValue(deployment) ?? Environment.GetEnvironmentVariable(BridgeRuntime.DeploymentVariable);
            DeploymentManifest? manifest = null;
            if (!string.IsNullOrWhiteSpace(manifestPath))
            {
                try
                {
                    manifest = DeploymentManifest.Load(manifestPath);
                }
                catch (Exception ex) when (ex is FormatException or IOException or JsonException)
                {
                    Console.Error.WriteLine(ex.Message);
                    return 2;
                }

                if (manifest.ChainId != chainId)
                {
                    Console.Error.WriteLine($"the node is on chain {chainId}, the deployment in {manifestPath} on chain {manifest.ChainId}: use a node of the cooperative's chain");
                    return 2;
                }
            }

            // The address alone proves nothing: any contract can emit proof events and report results. Only the
            // exported build, gating on the cooperative's members, makes the checks below mean anything.
            Console.WriteLine($"ballot {ballot.Address} on chain {chainId}");
            var mismatch = await DeployedCode.MismatchAsync(ballot.Client, ballot.Address, Path.Combine(outDirectory, "MACIVoting.sol", "MACIVoting.json"), cancellationToken).ConfigureAwait(false);
            var checks = new List<(string Name, bool? Pass, string Detail)> { ("ballot is the exported MACIVoting", mismatch is null, mismatch ?? "runtime code, linked libraries included, equals the build") };
            if (mismatch is null)
            {
                var membership = await ballot.ViewAsync<Address>("membership", cancellationToken).ConfigureAwait(false);
                checks.Add(("ballot → cooperative", manifest is null ? null : membership == manifest["CoopIdentity"].Address, manifest is null
                    ? $"it gates on CoopIdentity {membership}, which it cannot vouch for itself: pass --deployment FILE (or set {BridgeRuntime.DeploymentVariable}) to name the cooperative's"
                    : membership == manifest["CoopIdentity"].Address ? $"it gates on the cooperative's CoopIdentity {membership} (deployment {manifestPath})"
                    : $"it gates on CoopIdentity {membership}; the cooperative's (deployment {manifestPath}) is {manifest["CoopIdentity"].Address}"));
                await ProofChecksAsync(ballot, outDirectory, checks, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (name, pass, detail) in checks) Console.WriteLine($"  {(pass is null ? "UNRESOLVED" : pass.Value ? "PASS" : "FAIL"),-11} {name}: {detail}");
            // The repository's exported verifiers are set up on the development powers of tau (a test pins that).
            var verifierChecks = checks.Where(c => c.Name.Contains("Verifier is the exported", StringComparison.Ordinal)).ToList();
            var developmentExports = verifierChecks.Count == 2 && verifierChecks.All(c => c.Pass == true);
            Console.WriteLine(developmentExports
                ? "  SETUP       the verifiers' keys come from the INSECURE development powers of tau (public τ): anyone could forge these proofs; fine on a local chain, never for a real ballot"
                : "  SETUP       not this repository's development verifiers: compare them with the keys built on the ceremony file the coordinator names");
            return checks.All(c => c.Pass == true) ? 0 : 1;
        });
        return command;
    }

    private static async Task ProofChecksAsync(MaciVotingClient ballot, string outDirectory, List<(string Name, bool? Pass, string Detail)> checks, CancellationToken cancellationToken)
    {
        var status = await ballot.StatusAsync(cancellationToken).ConfigureAwait(false);
        var batches = status.BatchCount;
        var head = await ballot.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var logs = await ballot.Client.GetLogsAsync(new LogFilter { FromBlock = 0, ToBlock = head, Addresses = [ballot.Address] }, cancellationToken).ConfigureAwait(false);
        var abi = ForgeArtifact.LoadAbi(outDirectory, "MACIVoting.sol", "MACIVoting");
        var events = logs.Select(l => abi.DecodeLog(l.Topics, l.Data)).OfType<Ethereum.Abi.DecodedEvent>().ToList();
        checks.Add(("voting closed", status.VotingClosed, status.VotingClosed ? "closed after the deadline" : $"open until {status.VotingDeadline:u}"));
        var proven = events.Count(e => e.Event.Name == "BatchProcessed");
        checks.Add(("every batch proven", status.VotingClosed ? status.ProcessingComplete && proven == batches : null, $"{proven} of {batches} batch proof(s) verified by the contract"));
        var parameters = (await ballot.SettingsAsync(cancellationToken).ConfigureAwait(false)).Parameters;
        foreach (var (function, contract) in new[] { ("processVerifier", new BallotCircuit(BallotCircuitKind.ProcessMessages, parameters).VerifierName), ("tallyVerifier", new BallotCircuit(BallotCircuitKind.TallyVotes, parameters).VerifierName) })
        {
            var address = await ballot.ViewAsync<Address>(function, cancellationToken).ConfigureAwait(false);
            var artifact = Path.Combine(outDirectory, contract + ".sol", contract + ".json");
            var different = File.Exists(artifact) ? await DeployedCode.MismatchAsync(ballot.Client, address, artifact, cancellationToken).ConfigureAwait(false) : null;
            checks.Add(($"{function} is the exported {contract}", File.Exists(artifact) ? different is null : null, File.Exists(artifact) ? different ?? address.ToString() : "no build of it here"));
        }

        var tallied = events.Count(e => e.Event.Name == "VotesTallied");
        checks.Add(("every tally batch proven", status.ProcessingComplete ? status.TallyComplete && tallied == status.TallyBatchCount : null,
            status.TallyComplete ? $"{tallied} of {status.TallyBatchCount} tally proof(s) verified, commitment {status.TallyCommitment}" : $"{status.TallyBatchesProven} of {status.TallyBatchCount} tally proof(s) so far"));
        var published = events.LastOrDefault(e => e.Event.Name == "ResultsPublished");
        var results = await ballot.ResultsAsync(cancellationToken).ConfigureAwait(false);
        checks.Add(("results match the proven commitment", !status.TallyComplete ? null : status.ResultsPublished && published is not null && ((object?[])published["results"]!).Select(v => (BigInteger)v!).SequenceEqual(results),
            status.ResultsPublished ? string.Join(", ", results.Select((r, i) => $"option {i}: {r}")) : "not published yet"));
    }

    private static async Task PublishAsync(MaciVotingClient ballot, MaciPrivateKey key, MaciPublicKey newKey, ulong option, ulong weight, MaciPublicKey coordinator, ParseResult parseResult, string what,
        CancellationToken cancellationToken)
    {
        var index = LoadIndex(parseResult.GetValue(KeyFile)!, ballot.Address);
        var pollId = await ballot.ViewAsync<BigInteger>("pollId", cancellationToken).ConfigureAwait(false);
        var message = PublishedMessage.Create(key, (ulong)index, newKey, option, weight, 1, (ulong)pollId, coordinator);
        if (parseResult.GetValue(Direct))
        {
            var publisher = Environment.GetEnvironmentVariable(RelayKeyVariable) is { Length: > 0 } relay ? PrivateKey.FromHex(relay) : MemberCommand.MemberKey(null);
            var receipt = await ballot.WithSender(Sender(ballot, publisher)).PublishAsync(message, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{what} published from {publisher.Address.ToChecksumString()} in {receipt.TransactionHash} (encrypted: only the coordinator can read it; the sending address is public)");
            return;
        }

        var api = parseResult.GetValue(Api)!;
        using var http = new HttpClient { BaseAddress = new Uri(api) };
        var body = new
        {
            data = message.Message.Data.Select(f => f.ToBigInteger().ToString(CultureInfo.InvariantCulture)),
            encryptionKey = new { x = message.EncryptionKey.X.ToBigInteger().ToString(CultureInfo.InvariantCulture), y = message.EncryptionKey.Y.ToBigInteger().ToString(CultureInfo.InvariantCulture) },
        };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync($"/api/ballots/{ballot.Address}/messages", body, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"the bridge's relay at {api} is unreachable ({ex.Message}); pass --api, or --direct to publish from your own account (a watcher then sees which address sent it)", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the relay refused the {what} ({(int)response.StatusCode}): {text}");
            using var reply = JsonDocument.Parse(text);
            Console.WriteLine($"{what} relayed by the bridge as message {reply.RootElement.GetProperty("messageIndex").GetInt32()} in {reply.RootElement.GetProperty("transaction").GetString()} (encrypted: only the coordinator can read it; sent from the bridge's address)");
        }
    }

    private static async Task<int> RunAsync(ParseResult parseResult, Func<MaciVotingClient, MaciPrivateKey, MaciPublicKey, Task> action)
    {
        try
        {
            var ballot = Connect(parseResult);
            var key = LoadKey(parseResult.GetValue(KeyFile)!);
            var coordinatorHash = await ballot.ViewAsync<BigInteger>("coordinatorPublicKeyHash").ConfigureAwait(false);
            var coordinator = Environment.GetEnvironmentVariable("ISKANDER_COORDINATOR_PUBLIC_KEY") is { Length: > 0 } text ? MaciPublicKey.Parse(text) : null;
            if (coordinator is not null && coordinator.Hash().ToBigInteger() != coordinatorHash) throw new InvalidOperationException("ISKANDER_COORDINATOR_PUBLIC_KEY is not this ballot's coordinator key");
            await action(ballot, key, coordinator ?? throw new InvalidOperationException("set ISKANDER_COORDINATOR_PUBLIC_KEY (macipk.…) to the ballot's coordinator key; it is checked against the contract")).ConfigureAwait(false);
            return 0;
        }
        catch (ContractRevertException ex)
        {
            Console.Error.WriteLine($"the ballot refused: {ex.ErrorName ?? ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeystorePasswordException or IOException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static MaciVotingClient Connect(ParseResult parseResult)
    {
        var rpc = parseResult.GetValue(Rpc) ?? Environment.GetEnvironmentVariable(EmbeddedServices.RpcUrlVariable) ?? throw new InvalidOperationException($"pass --rpc or set {EmbeddedServices.RpcUrlVariable}");
        var client = new EthClient(new JsonRpcClient(new Uri(rpc)));
        var abi = ForgeArtifact.LoadAbi(Path.Combine(ProjectLayout.Discover().Root, "out"), "MACIVoting.sol", "MACIVoting");
        return new MaciVotingClient(client, Address.Parse(parseResult.GetValue(BallotAddress)!), abi);
    }

    private static TransactionSender Sender(MaciVotingClient ballot, PrivateKey key) => new(ballot.Client, new LocalSigner(key));

    private static MaciPrivateKey LoadKey(FileInfo file)
    {
        var password = Environment.GetEnvironmentVariable(KeyPasswordVariable) ?? throw new InvalidOperationException($"set {KeyPasswordVariable} to open {file.FullName}");
        return BallotKeyFile.Decrypt(File.ReadAllText(file.FullName), password);
    }

    // Owner-only: the file is encrypted, but nobody else needs to read it.
    private static void WriteKeyFile(FileInfo file, string json)
    {
        File.WriteAllText(file.FullName, json);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    // The voter's state index per ballot, kept beside the key (public information: it is in the SignUp event).
    private static string IndexFile(FileInfo key) => key.FullName + ".ballots.json";

    private static void SaveIndex(FileInfo key, Address ballot, int index)
    {
        var path = IndexFile(key);
        var known = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path))! : [];
        known[ballot.ToString().ToLowerInvariant()] = index;
        File.WriteAllText(path, JsonSerializer.Serialize(known));
    }

    private static int LoadIndex(FileInfo key, Address ballot)
    {
        var path = IndexFile(key);
        return File.Exists(path) && JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path))!.TryGetValue(ballot.ToString().ToLowerInvariant(), out var index)
            ? index
            : throw new InvalidOperationException($"this key has not signed up for ballot {ballot} (run ballot signup with it)");
    }
}
