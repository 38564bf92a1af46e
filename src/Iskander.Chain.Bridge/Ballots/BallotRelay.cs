using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>A message the relay does not publish, with the reason.</summary>
/// <param name="message">Why.</param>
/// <param name="notFound">Whether the ballot is not one this bridge relays for.</param>
public sealed class RelayRefusedException(string message, bool notFound = false) : Exception(message)
{
    /// <summary>Whether the ballot is not one this bridge relays for.</summary>
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// Publishes any well-formed message to the ballots this bridge coordinates, from the bridge's own
/// key, so that no member's address appears beside a message on chain (docs/ballots.md, "Relayed
/// publishing"). A message is checked before it costs gas: ten field elements and an ephemeral key
/// in the prime-order subgroup, voting still open. Who sent it is not logged.
/// </summary>
public sealed class BallotRelay(IEnumerable<MaciVotingClient> ballots, ILogger log)
{
    private readonly Dictionary<Address, MaciVotingClient> _ballots = ballots.ToDictionary(b => b.Address);

    /// <summary>Parses a message as the HTTP API carries it: ten decimal or 0x-hex field elements and the ephemeral key's coordinates.</summary>
    /// <exception cref="RelayRefusedException">Not a well-formed message.</exception>
    public static PublishedMessage Parse(IReadOnlyList<string>? data, string? keyX, string? keyY)
    {
        if (data is null || data.Count != MaciMessage.Length) throw new RelayRefusedException($"a message is {MaciMessage.Length} field elements");
        try
        {
            var key = new BabyJubJubPoint(Fr.Parse(keyX ?? ""), Fr.Parse(keyY ?? ""));
            if (!BabyJubJub.IsValidPublicPoint(key)) throw new RelayRefusedException("the encryption key is not a point of the prime-order subgroup");
            return new PublishedMessage(new MaciMessage(data.Select(Fr.Parse).ToArray()), key);
        }
        catch (FormatException ex)
        {
            throw new RelayRefusedException(ex.Message);
        }
    }

    /// <summary>Publishes <paramref name="message"/> to <paramref name="ballot"/>; returns the transaction and the message's index.</summary>
    /// <exception cref="RelayRefusedException">An unknown ballot, or voting has ended.</exception>
    public async Task<(Hash32 Transaction, int Index)> RelayAsync(Address ballot, PublishedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_ballots.TryGetValue(ballot, out var contract)) throw new RelayRefusedException($"this bridge relays for no ballot {ballot}", notFound: true);
        var deadline = DateTimeOffset.FromUnixTimeSeconds((long)await contract.ViewAsync<System.Numerics.BigInteger>("votingDeadline", cancellationToken).ConfigureAwait(false));
        if (await contract.ChainTimeAsync(cancellationToken).ConfigureAwait(false) >= deadline) throw new RelayRefusedException($"voting on ballot {ballot} ended at {deadline:u}");
        var receipt = await contract.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        var index = receipt.Logs.Select(contract.Decode).OfType<MessageEvent>().Single().Index;
        log.Information("Relayed message {Index} to ballot {Ballot} in {Transaction}", index, ballot, receipt.TransactionHash);
        return (receipt.TransactionHash, index);
    }
}
