using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using Iskander.Chain.Bridge.Watching;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Bench;

/// <summary>
/// Catching up on a chain full of events: a real anvil holding the deployment and 100,000 escrow
/// lifecycle events (from <c>EscrowEventEmitter</c>, a test fixture emitting InterCoopEscrow's events
/// 500 per transaction, decoded with the escrow's ABI), mirrored into a fresh PostgreSQL database by
/// <see cref="ContractEventMirror"/>. The phases are also timed alone (fetching the logs, decoding
/// them) to show where the time goes. Not a BenchmarkDotNet suite: one measured run of a whole system.
/// </summary>
internal static class WatchThroughput
{
    private const int IdsPerTransaction = 125; // four events each
    private const int Transactions = 200;
    private const int Runs = 3;

    public static async Task<string> RunAsync(ProjectLayout layout)
    {
        var report = new StringBuilder();
        await using var environment = await BenchEnvironment.StartAsync(layout, 0);
        var (node, deployer, manifest, client) = (environment.Node, environment.Deployer, environment.Manifest, environment.Client);
        var sender = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(node.Accounts[0].PrivateKey)));
        var emitter = await Contract.DeployAsync(sender, ForgeArtifact.Load(Path.Combine(layout.Root, "out"), "EscrowEventEmitter.sol", "EscrowEventEmitter"), []);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Transactions; i++) await emitter.SendAsync("emitLifecycles", [new BigInteger(1 + i * IdsPerTransaction), new BigInteger(IdsPerTransaction)]);
        var fill = clock.Elapsed;
        var head = await client.BlockNumberAsync();

        var escrowAbi = deployer.Artifact(manifest, "InterCoopEscrow").Abi;
        IReadOnlyList<WatchedContract> contracts =
        [
            .. DeploymentManifest.RequiredContracts.Select(name => new WatchedContract(name, manifest[name].Address, deployer.Artifact(manifest, name).Abi)),
            new WatchedContract("InterCoopEscrow", emitter.Address, escrowAbi),
        ];

        // Phases alone: anvil answering eth_getLogs (bytes only), then the same through our client (JSON parsed into logs), twice (cold, warm).
        var filter = new LogFilter { FromBlock = manifest.DeployBlock, ToBlock = head, Addresses = contracts.Select(c => c.Address).ToList() };
        var request = $$"""{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x{{manifest.DeployBlock:x}}","toBlock":"0x{{head:x}}","address":[{{string.Join(',', contracts.Select(c => $"\"{c.Address.ToLowerHex()}\""))}}]}]}""";
        using var http = new HttpClient();
        clock.Restart();
        using var raw = await http.PostAsync(node.RpcUrl, new StringContent(request, Encoding.UTF8, "application/json"));
        var bytes = (await raw.Content.ReadAsByteArrayAsync()).Length;
        var anvil = clock.Elapsed;
        clock.Restart();
        var logs = await client.GetLogsAsync(filter);
        var fetchCold = clock.Elapsed;
        clock.Restart();
        logs = await client.GetLogsAsync(filter);
        var fetch = clock.Elapsed;
        // Phase alone: ABI decoding.
        clock.Restart();
        var byAddress = contracts.ToDictionary(c => c.Address, c => c.Abi);
        var decoded = logs.Count(l => byAddress[l.Address].DecodeLog(l.Topics, l.Data) is not null);
        var decode = clock.Elapsed;

        report.AppendLine(CultureInfo.InvariantCulture,
            $"{logs.Count:N0} events ({decoded:N0} decoded) in {head - manifest.DeployBlock + 1:N0} blocks; filling the chain took {fill.TotalSeconds:N1} s ({Transactions} transactions of {4 * IdsPerTransaction} events).");
        report.AppendLine().AppendLine("| phase | seconds | events/s |").AppendLine("|---|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| anvil answering eth_getLogs over the whole range ({bytes / 1e6:N0} MB of JSON), read as bytes | {anvil.TotalSeconds:N2} | {logs.Count / anvil.TotalSeconds:N0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| the same through the client (parsed into logs), first / second call | {fetchCold.TotalSeconds:N2} / {fetch.TotalSeconds:N2} | {logs.Count / fetch.TotalSeconds:N0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| ABI decoding, alone | {decode.TotalSeconds:N2} | {logs.Count / decode.TotalSeconds:N0} |");
        for (var run = 1; run <= Runs; run++)
        {
            await using var database = await environment.CreateDatabaseAsync($"watch{run}");
            var mirror = new ContractEventMirror(database, client, contracts, manifest.DeployBlock, new ContractWatchOptions { Confirmations = 0 }, BenchEnvironment.Log);
            var progress = await mirror.CatchUpAsync();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| catch-up on a fresh database, run {run}: fetch, decode, store, observe | {progress.Logs / progress.LogsPerSecond:N2} | **{progress.LogsPerSecond:N0}** |");
        }

        return report.ToString();
    }
}
