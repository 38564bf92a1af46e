using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Accounts;

/// <summary>
/// Hands out consecutive nonces for one account, safely under concurrency: reservations are
/// serialised, so concurrent senders never share a nonce. The first reservation, and the first after
/// <see cref="ResyncAsync"/>, starts from the node's pending transaction count. Senders resync after
/// a "nonce too low/high" error, an uncertain send, or a transaction dropped by a reorg.
/// </summary>
public sealed class NonceManager(EthClient client, Address account)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ulong? _next;

    /// <summary>The account whose nonces this manages.</summary>
    public Address Account { get; } = account;

    /// <summary>Reserves the next nonce.</summary>
    public async Task<ulong> ReserveAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var nonce = _next ?? await client.GetTransactionCountAsync(Account, "pending", cancellationToken).ConfigureAwait(false);
            _next = nonce + 1;
            return nonce;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives back <paramref name="nonce"/> if it is the latest one handed out (its send never reached the node); otherwise resyncs.</summary>
    public async Task ReleaseAsync(ulong nonce, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_next == nonce + 1)
            {
                _next = nonce;
                return;
            }

            _next = null; // a later nonce is out: let the node say where the gap is
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the local count; the next reservation asks the node again.</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _next = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
