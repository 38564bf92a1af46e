using System.CommandLine;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain serve</c>: starts (or connects to) the chain node and the database, serves the
/// HTTP surface (trustless gateway over the content store, health), reports health, and keeps
/// checking until stopped with Ctrl-C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var interval = new Option<int>("--health-interval")
        {
            Description = "Seconds between health checks while running.",
            DefaultValueFactory = _ => 30,
        };
        var listen = ListenOption();
        var reset = new Option<bool>("--reset")
        {
            Description = "Start a new embedded chain (and embedded database): the old ones are moved aside into the data folder's reset-*/ folder. Needed when the embedded chain's state is lost.",
        };
        var command = new Command("serve", "Run the bridge: embedded anvil and PostgreSQL unless ISKANDER_RPC_URL / ISKANDER_DATABASE are set.")
        {
            dataDirectory,
            interval,
            listen,
            reset,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var log = Logging.CreateConsoleLogger();
            var layout = ProjectLayout.Discover();
            var dataDir = CommonOptions.ResolveDataDirectory(parseResult.GetValue(dataDirectory), layout);
            log.Information("iskander-chain {Version} starting; data in {DataDirectory}", VersionCommand.Text, dataDir);
            try
            {
                await using var services = await EmbeddedServices.StartAsync(new Toolchain.Toolchain(layout), dataDir, parseResult.GetValue(reset), log, cancellationToken)
                    .ConfigureAwait(false);
                var report = await HealthReport.CheckAsync(services, cancellationToken).ConfigureAwait(false);
                if (!report.Healthy)
                {
                    log.Error("Unhealthy at start: {Problems:l}", report.Problems(services));
                    return ExitCodes.Failed;
                }

                await using var bridge = await BridgeRuntime.CreateAsync(services, layout, dataDir, log, cancellationToken).ConfigureAwait(false);
                await using var web = await Host.BridgeWebHost.StartAsync(
                    new Host.BridgeWebHostOptions
                    {
                        Listen = parseResult.GetValue(listen)!,
                        ContentStore = bridge?.Store ?? ContentCommand.OpenStore(dataDir),
                        Bridge = bridge is null ? null : new Host.Api.BridgeEndpointsOptions(bridge.Database, bridge.Service, bridge.HookToken, bridge.Manifest.ChainId, bridge.Manifest["DecisionAnchor"].Address, bridge.Consent,
                            bridge.Ballots?.CreateRelay(), bridge.Privacy) { Deployment = PublicDeployment(bridge.Manifest, services) },
                        Health = new ServeHealth(services),
                    }, log, cancellationToken)
                    .ConfigureAwait(false);
                log.Information("Gateway on {GatewayUrl}ipfs/", web.Address);
                var bridgeLoop = bridge?.Service.RunAsync(cancellationToken) ?? Task.CompletedTask;
                var ballotLoop = bridge?.Ballots?.RunAsync(cancellationToken) ?? Task.CompletedTask;
                var watchLoop = Task.WhenAll(bridge?.Watches.Select(w => w.RunAsync(cancellationToken)) ?? []);
                log.Information(
                    "Healthy: chain {ChainId} at block {BlockNumber} on {RpcUrl} ({RpcKind}); PostgreSQL {DatabaseVersion} ({DatabaseKind}). Press Ctrl-C to stop.",
                    report.ChainId, report.BlockNumber, EmbeddedServices.Redacted(services.RpcUrl), services.RpcIsEmbedded ? "embedded anvil" : "configured",
                    report.DatabaseVersion, services.DatabaseIsEmbedded ? "embedded" : "configured");
                var supervision = services.Supervisor.RunAsync(cancellationToken);
                await MonitorAsync(services, TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(interval))), log, cancellationToken)
                    .ConfigureAwait(false);
                await supervision.ConfigureAwait(false);
                await bridgeLoop.ConfigureAwait(false);
                await ballotLoop.ConfigureAwait(false);
                await watchLoop.ConfigureAwait(false);
                log.Information("Stopping");
                return ExitCodes.Ok;
            }
            catch (UserErrorException ex)
            {
                log.Error("{Problem:l}", ex.Message);
                return ex.ExitCode;
            }
            catch (Exception ex) when (ex is ToolException or DevServices.DevServiceException or IOException or InvalidOperationException)
            {
                log.Error("Could not start the services: {Reason}", ex.Message);
                log.Error("Run `iskander-chain doctor` for a check of every tool with fix hints.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    /// <summary><c>--listen</c>: the HTTP address of the host (gateway, API, members' page).</summary>
    internal static Option<string> ListenOption() => new("--listen")
    {
        Description = "HTTP address of the gateway, API and members' page (default: $ISKANDER_LISTEN, else http://127.0.0.1:8480).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISKANDER_LISTEN") is { Length: > 0 } value ? value : "http://127.0.0.1:8480",
    };

    /// <summary>Names the JSON-RPC endpoint the members' page suggests to browsers.</summary>
    public const string PublicRpcUrlVariable = "ISKANDER_PUBLIC_RPC_URL";

    // What the members' page suggests: the manifest's contracts and a node browsers may call. A configured
    // ISKANDER_RPC_URL is never published (it may carry a provider's key); the embedded anvil is, as it is local.
    private static Host.Api.PublicDeployment PublicDeployment(Contracts.DeploymentManifest manifest, EmbeddedServices services)
    {
        var configured = Environment.GetEnvironmentVariable(PublicRpcUrlVariable);
        Uri? rpcUrl = services.RpcIsEmbedded ? services.RpcUrl : null;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            rpcUrl = Uri.TryCreate(configured, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed
                : throw new UserErrorException($"{PublicRpcUrlVariable} is not an http(s) URL: set it to a JSON-RPC endpoint of the chain that members' browsers may call, or unset it");
        }

        return new Host.Api.PublicDeployment(manifest.ChainId, manifest.Contracts.ToDictionary(c => c.Key, c => c.Value.Address), rpcUrl);
    }

    private static async Task MonitorAsync(EmbeddedServices services, TimeSpan interval, Serilog.ILogger log, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var report = await HealthReport.CheckAsync(services, cancellationToken).ConfigureAwait(false);
                if (report.Healthy)
                {
                    log.Debug("Healthy: block {BlockNumber}", report.BlockNumber);
                }
                else
                {
                    log.Warning("Unhealthy: {Problems:l}", report.Problems(services));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: fall through to an orderly shutdown of the services.
        }
    }
}
