using System.Diagnostics;
using System.Text.Json;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.DevServices;

/// <summary>
/// A local anvil node run from the project's pinned Foundry toolchain, bound to loopback. Start it
/// with <see cref="StartAsync"/>; <see cref="DisposeAsync"/> stops it (gracefully, then by kill).
/// With a <see cref="AnvilOptions.StateFile"/>, the node owns that file: it is loaded at start, saved
/// every <see cref="AnvilOptions.StateSaveInterval"/> (less often as the chain grows, see
/// <see cref="NextSaveDelay"/>) and at stop, always by writing a temporary file
/// and renaming it (anvil's own <c>--dump-state</c> truncates the file in place, so a crash mid-write
/// would leave half a chain), and an anvil an earlier process left running on it is saved and stopped.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly ILogger _log;
    private readonly string _configFile;
    private readonly SemaphoreSlim _saving = new(1, 1);
    private readonly CancellationTokenSource _stopSaving = new();
    private Task _saver = Task.CompletedTask;
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
        if (options.StateFile is not null)
        {
            await StopOrphanAsync(options, log, cancellationToken).ConfigureAwait(false);
            if (File.Exists(options.StateFile) && AnvilStateFile.RemoveLaterGeneses(options.StateFile) is > 0 and var removed)
            {
                log.Debug("Removed {Count} later copies of the genesis block from {StateFile} (anvil adds one at every load)", removed, options.StateFile);
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? LoopbackPort.Free();
            var node = Launch(command, port, options, log);
            try
            {
                await node.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
                log.Information("anvil listening on {RpcUrl} (chain {ChainId}, {Accounts} accounts)", node.RpcUrl, options.ChainId, node.Accounts.Count);
                node.StartSaving();
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
        var configFile = ConfigFile(options);
        File.Delete(configFile);
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

        // Load only: the node saves its state itself, atomically (see SaveStateAsync).
        if (options.StateFile is not null && File.Exists(options.StateFile))
        {
            yield return "--load-state";
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

    /// <summary>
    /// Saves the chain's state to <see cref="AnvilOptions.StateFile"/> now (<c>anvil_dumpState</c>,
    /// written to a temporary file, flushed to disk and renamed over the old one).
    /// </summary>
    /// <exception cref="DevServiceException">The node did not answer with its state.</exception>
    public async Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        if (Options.StateFile is null) throw new InvalidOperationException("this node has no state file");
        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SaveStateAsync(RpcUrl, Options.StateFile, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _saving.Release();
        }
    }

    private static async Task SaveStateAsync(Uri rpcUrl, string stateFile, CancellationToken cancellationToken)
    {
        var hex = await RpcProbe.TryCallAsync(rpcUrl, "anvil_dumpState", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)
            ?? throw new DevServiceException($"anvil on {rpcUrl} did not answer anvil_dumpState");
        using var compressed = new MemoryStream(Convert.FromHexString(hex.AsSpan(2)));
        using var gunzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress);
        AnvilStateFile.Replace(stateFile, gunzip.CopyTo);
    }

    // Saves until stopped, waiting NextSaveDelay between saves; a failed save is logged and retried at the next one.
    private void StartSaving()
    {
        if (Options.StateFile is null) return;
        File.WriteAllText(PidFile(Options.StateFile), $"{_process.Id} {Port}");
        _saver = Task.Run(async () =>
        {
            var delay = Options.StateSaveInterval;
            try
            {
                while (true)
                {
                    await Task.Delay(delay, _stopSaving.Token).ConfigureAwait(false);
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        await SaveStateAsync(_stopSaving.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is DevServiceException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
                    {
                        _log.Warning("Could not save the chain state to {StateFile}: {Reason}", Options.StateFile, ex.Message);
                    }

                    delay = NextSaveDelay(Options.StateSaveInterval, clock.Elapsed);
                }
            }
            catch (OperationCanceledException) when (_stopSaving.IsCancellationRequested)
            {
                // Stopping: the final save follows in DisposeAsync.
            }
        });
    }

    /// <summary>The longest wait between saves: a crash then loses fewer blocks (one a second) than the bridge's reorg window of 128.</summary>
    public static readonly TimeSpan MaxStateSaveInterval = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait before the next save: the configured interval, or 20 times as long as the last save
    /// took when that is longer (anvil writes its whole chain each time, about 1.75 KB per block, so
    /// a chain that mines a block a second grows by ~150 MB a day), which keeps saving under a twentieth
    /// of the time; never more than <see cref="MaxStateSaveInterval"/>.
    /// </summary>
    internal static TimeSpan NextSaveDelay(TimeSpan configured, TimeSpan lastSave) =>
        TimeSpan.FromTicks(Math.Clamp(lastSave.Ticks * 20, configured.Ticks, Math.Max(configured.Ticks, MaxStateSaveInterval.Ticks)));

    private static string PidFile(string stateFile) => stateFile + ".pid";

    // Where anvil writes its accounts and keys: beside the state it owns (one file per data folder,
    // not one more in the shared temporary folder after every crash), else a private temporary folder.
    private static string ConfigFile(AnvilOptions options) =>
        options.StateFile is { } stateFile
            ? stateFile + ".accounts.json"
            : Path.Combine(Directory.CreateTempSubdirectory("iskander-anvil-").FullName, "accounts.json");

    // Chain-id probes of an orphan (5 s each at most, a second apart) before it is stopped unsaved.
    private const int OrphanProbes = 6;

    /// <summary>
    /// Stops an anvil left running on <see cref="AnvilOptions.StateFile"/> by a process that died
    /// (e.g. killed with SIGKILL): its chain is newer than the file, so it is saved first. Afterwards
    /// no node writes the file. <see cref="StartAsync"/> does this itself.
    /// </summary>
    public static async Task StopOrphanAsync(AnvilOptions options, ILogger log, CancellationToken cancellationToken)
    {
        var pidFile = PidFile(options.StateFile!);
        if (!File.Exists(pidFile)) return;
        var parts = (await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false)).Split(' ');
        if (parts.Length == 2 && int.TryParse(parts[0], out var pid) && int.TryParse(parts[1], out var port) && IsAnvil(pid))
        {
            var url = new Uri($"http://127.0.0.1:{port}");
            // The orphan holds the newest chain: give it time to answer (a loaded machine can be slow) before giving up on saving it.
            var saved = false;
            for (var attempt = 0; !saved && attempt < OrphanProbes && IsAnvil(pid); attempt++)
            {
                if (attempt > 0) await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                saved = await RpcProbe.TryChainIdAsync(url, cancellationToken).ConfigureAwait(false) == options.ChainId;
            }

            if (saved) await SaveStateAsync(url, options.StateFile!, cancellationToken).ConfigureAwait(false);

            ProcessSignals.TryTerminate(pid);
            for (var waited = 0; IsAnvil(pid) && waited < 100; waited++) await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            if (IsAnvil(pid)) ProcessSignals.TryKill(pid);
            if (saved) log.Information("Stopped anvil (pid {Pid}) left running on {StateFile} by an earlier run, after saving its chain", pid, options.StateFile);
            else log.Warning("Stopped anvil (pid {Pid}) left running on {StateFile} by an earlier run; it did not answer as chain {ChainId}, so its chain was not saved", pid, options.StateFile, options.ChainId);
        }

        File.Delete(pidFile);
    }

    private static bool IsAnvil(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').FirstOrDefault() is { } executable && Path.GetFileName(executable) == "anvil";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Stops the node: the last state save, SIGTERM, then a kill after a grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await _stopSaving.CancelAsync().ConfigureAwait(false);
        await _saver.ConfigureAwait(false);
        if (!_process.HasExited && Options.StateFile is not null)
        {
            try
            {
                await SaveStateAsync().ConfigureAwait(false);
                File.Delete(PidFile(Options.StateFile));
            }
            catch (Exception ex) when (ex is DevServiceException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
            {
                _log.Warning("Could not save the chain state to {StateFile} at stop: {Reason}", Options.StateFile, ex.Message);
            }
        }

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
        _stopSaving.Dispose();
        _saving.Dispose();
        File.Delete(_configFile);
        if (Options.StateFile is null) Directory.Delete(Path.GetDirectoryName(_configFile)!);
    }
}
