namespace Iskander.Chain.DevServices;

/// <summary>How to start a local anvil node.</summary>
public sealed record AnvilOptions
{
    /// <summary>The public development mnemonic anvil uses by default.</summary>
    public const string DefaultMnemonic = "test test test test test test test test test test test junk";

    /// <summary>Chain id (default 31337).</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>Loopback port; null picks a free one.</summary>
    public int? Port { get; init; }

    /// <summary>Mine a block on every transaction (anvil's default). Ignored when <see cref="BlockTime"/> is set.</summary>
    public bool Automine { get; init; } = true;

    /// <summary>Interval mining: one block every this many seconds.</summary>
    public int? BlockTime { get; init; }

    /// <summary>Mnemonic the dev accounts derive from.</summary>
    public string Mnemonic { get; init; } = DefaultMnemonic;

    /// <summary>Number of funded dev accounts.</summary>
    public int Accounts { get; init; } = 10;

    /// <summary>Where the node keeps its state between runs (loaded at start, saved atomically while running and at stop); null for an ephemeral chain.</summary>
    public string? StateFile { get; init; }

    /// <summary>How often the state is saved while the node runs and its chain is small (a large one is saved less often, at most <see cref="AnvilNode.MaxStateSaveInterval"/> apart): what a kill loses.</summary>
    public TimeSpan StateSaveInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for the node to answer after start.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
