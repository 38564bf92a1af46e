using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Accounts;

/// <summary>A transaction was not mined within the time allowed.</summary>
public sealed class TransactionTimeoutException(Hash32 hash, TimeSpan timeout)
    : Exception($"transaction {hash} was not mined within {timeout.TotalSeconds:0.#} s")
{
    /// <summary>The transaction.</summary>
    public Hash32 Hash { get; } = hash;
}

/// <summary>
/// Waits for receipts by polling with exponential backoff (50 ms doubling to a ceiling) and an
/// overall timeout, so a slow or stuck transaction costs a handful of requests, not a storm.
/// </summary>
public static class ReceiptWaiter
{
    /// <summary>Waits until <paramref name="hash"/> has a receipt.</summary>
    /// <exception cref="TransactionTimeoutException">No receipt within <paramref name="timeout"/>.</exception>
    public static async Task<TransactionReceipt> WaitAsync(EthClient client, Hash32 hash, TimeSpan timeout, CancellationToken cancellationToken = default,
        TimeSpan? maxPollInterval = null)
    {
        var ceiling = maxPollInterval ?? TimeSpan.FromSeconds(2);
        var delay = TimeSpan.FromMilliseconds(50);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var receipt = await client.GetTransactionReceiptAsync(hash, deadline.Token).ConfigureAwait(false);
                if (receipt is not null) return receipt;
                await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, ceiling.Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransactionTimeoutException(hash, timeout);
        }
    }
}
