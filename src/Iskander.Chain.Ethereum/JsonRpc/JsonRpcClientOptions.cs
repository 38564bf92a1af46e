namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>Time limits, retries and size limits of a <see cref="JsonRpcClient"/>.</summary>
public sealed record JsonRpcClientOptions
{
    /// <summary>Limit for one HTTP attempt.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts after the first for transient failures (connection errors, timeouts, 429, 5xx).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; doubles per attempt, with full jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response accepted; larger ones fail instead of exhausting memory.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024 * 1024;
}
