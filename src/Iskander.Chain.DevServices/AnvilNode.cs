using System.Diagnostics;
using System.Text.Json;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.DevServices;

/// <summary>
/// A local anvil node run from the project's pinned Foundry toolchain, bound to loopback. Start it
/// with <see cref="StartAsync"/>; <see cref="DisposeAsync"/> stops it (gracefully, then by kill).
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly ILogger _log;
    private readonly string _configFile;
    private bool _disposed;

    private AnvilNode(Process process, OutputTail output, int port, AnvilOptions options, string configFile, ILogger log)
    {
        _process = process;
        _output = output;
        _configFile = configFile;
        _log = log;
        Port = port;
        Options = options;
        RpcUrl = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The options the node was started with.</summary>
    public AnvilOptions Options { get; }

    /// <summary>Loopback port the node listens on.</summary>
    public int Port { get; }

    /// <summary>JSON-RPC endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>Funded development accounts, in anvil's order.</summary>
    public IReadOnlyList<DevAccount> Accounts { get; private set; } = [];

    /// <summary>Whether the anvil process is still running.</summary>
    public bool IsRunning => !_disposed && !_process.HasExited;

    /// <summary>Starts anvil and waits until it answers <c>eth_chainId</c> with the configured chain id.</summary>
    /// <exception cref="DevServiceException">anvil exited or did not answer in time; the message carries its last output.</exception>
    public static async Task<AnvilNode> StartAsync(
        Toolchain.Toolchain toolchain, AnvilOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new AnvilOptions();
        var log = (logger ?? Serilog.Core.Logger.None).ForContext<AnvilNode>();
        var command = toolchain.Locate(Tool.Anvil);
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? LoopbackPort.Free();
            var node = Launch(command, port, options, log);
            try
            {
                await node.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
                log.Information("anvil listening on {RpcUrl} (chain {ChainId}, {Accounts} accounts)", node.RpcUrl, options.ChainId, node.Accounts.Count);
                return node;
            }
            catch (DevServiceException) when (attempt < StartAttempts && options.Port is null && node._output.Text.Contains("Address already in use", StringComparison.Ordinal))
            {
                // The free port was taken between probing and binding: try another one.
                await node.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static AnvilNode Launch(ToolCommand command, int port, AnvilOptions options, ILogger log)
    {
        var configFile = Path.Combine(Path.GetTempPath(), $"iskander-anvil-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(command.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.PrefixArguments) start.ArgumentList.Add(argument);
        foreach (var argument in Arguments(port, options, configFile)) start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new DevServiceException($"could not start {command.Executable}");
        var output = new OutputTail();
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AnvilNode(process, output, port, options, configFile, log);
    }

    private static IEnumerable<string> Arguments(int port, AnvilOptions options, string configFile)
    {
        yield return "--host";
        yield return "127.0.0.1";
        yield return "--port";
        yield return port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--chain-id";
        yield return options.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--accounts";
        yield return options.Accounts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--mnemonic";
        yield return options.Mnemonic;
        yield return "--silent";
        yield return "--config-out";
        yield return configFile;
        if (options.BlockTime is { } seconds)
        {
            yield return "--block-time";
            yield return seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (!options.Automine)
        {
            yield return "--no-mining";
        }

        if (options.StateFile is not null)
        {
            yield return "--state";
            yield return options.StateFile;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new DevServiceException($"anvil exited with code {_process.ExitCode} during start: {_output.Text}");
            }

            var chainId = await TryChainIdAsync(cancellationToken).ConfigureAwait(false);
            if (chainId is not null)
            {
                if (chainId != Options.ChainId)
                {
                    throw new DevServiceException($"port {Port} answered chain id {chainId}, expected {Options.ChainId}: another node is listening there");
                }

                // The accounts file can still be being written when the RPC already answers (seen under load).
                if (TryReadAccounts() is { } accounts)
                {
                    Accounts = accounts;
                    return;
                }
            }

            if (deadline.Elapsed > Options.StartTimeout)
            {
                throw new DevServiceException($"anvil did not answer on {RpcUrl} within {Options.StartTimeout.TotalSeconds:0} s: {_output.Text}");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>Asks the node for its chain id; null when it does not answer (yet).</summary>
    public Task<ulong?> TryChainIdAsync(CancellationToken cancellationToken = default) =>
        RpcProbe.TryChainIdAsync(RpcUrl, cancellationToken);

    // Null while the file is missing, empty or half written.
    private List<DevAccount>? TryReadAccounts()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(_configFile));
            var addresses = document.RootElement.GetProperty("available_accounts").EnumerateArray().Select(a => a.GetString()!).ToList();
            var keys = document.RootElement.GetProperty("private_keys").EnumerateArray().Select(k => k.GetString()!).ToList();
            return addresses.Zip(keys, (address, key) => new DevAccount(address, key)).ToList();
        }
        catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Stops the node: SIGTERM (anvil then writes its <c>--state</c> file), then a kill after a grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        if (!_process.HasExited)
        {
            ProcessSignals.TryTerminate(_process.Id);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _log.Information("anvil on port {Port} stopped", Port);
        }

        _disposed = true;
        _process.Dispose();
        File.Delete(_configFile);
    }
}
