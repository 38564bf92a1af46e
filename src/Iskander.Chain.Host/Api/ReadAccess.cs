using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Microsoft.AspNetCore.Http;

namespace Iskander.Chain.Host.Api;

/// <summary>Who may read the records of private groups (docs/architecture.md, "What is public").</summary>
public sealed record ReadAccessOptions
{
    /// <summary>Serve every record to anyone, private groups' included (<c>ISKANDER_PUBLIC_RECORDS=all</c>).</summary>
    public bool AllRecordsPublic { get; init; }

    /// <summary>The bearer token that lets members read private records (<c>ISKANDER_READ_TOKEN</c>); null: none is accepted.</summary>
    public string? ReadToken { get; init; }
}

/// <summary>The caller of a request, as its credentials prove it.</summary>
/// <param name="MaySeePrivate">The caller may read private records: the read token, or a current member's signature (or every record is public).</param>
/// <param name="Signer">The address that signed the request's challenge, if any (a member or not).</param>
/// <param name="HasToken">The request carried the read token.</param>
public sealed record Reader(bool MaySeePrivate, Address? Signer, bool HasToken);

/// <summary>A request's credentials are malformed, expired or wrong: answered 401, whatever was asked.</summary>
public sealed class InvalidReadCredentialException(string message) : Exception(message);

/// <summary>
/// Read access to private records. A caller proves membership with the read token
/// (<c>Authorization: Bearer TOKEN</c>) or with a current member's EIP-191 (<c>personal_sign</c>)
/// signature over a short-lived challenge (<c>Authorization: Iskander-Signature until=UNIX, signature=0x…</c>,
/// the message being <see cref="Challenge(long)"/>); membership is the bridge's mirror of CoopIdentity.
/// Anyone else is answered as if private records did not exist (404), so that their existence is not revealed.
/// </summary>
public sealed class ReadAccess(BridgeDatabase database, ReadAccessOptions options, ulong chainId, Address decisionAnchor)
{
    /// <summary>The authorization scheme of a signed challenge.</summary>
    public const string SignatureScheme = "Iskander-Signature";

    /// <summary>Longest a signed challenge may still be valid for (a longer one is refused).</summary>
    public static readonly TimeSpan MaxSignatureLifetime = TimeSpan.FromMinutes(10);

    private const string ReaderKey = "iskander.reader";
    private readonly byte[]? _token = options.ReadToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    /// <summary>The message a member signs to read until <paramref name="until"/> (Unix seconds), bound to this cooperative's chain and DecisionAnchor.</summary>
    public string Challenge(long until) => Challenge(chainId, decisionAnchor, until);

    /// <summary>The challenge message for a cooperative (chain id, DecisionAnchor) until <paramref name="until"/> (Unix seconds).</summary>
    public static string Challenge(ulong chainId, Address decisionAnchor, long until) =>
        string.Create(CultureInfo.InvariantCulture, $"iskander-chain read access: chain {chainId}, DecisionAnchor {decisionAnchor.ToChecksumString()}, until {until}");

    /// <summary>The <c>Authorization</c> header value signing <paramref name="challenge"/> (valid until <paramref name="until"/>) with <paramref name="key"/>.</summary>
    public static string SignatureHeader(PrivateKey key, string challenge, long until) =>
        string.Create(CultureInfo.InvariantCulture, $"{SignatureScheme} until={until}, signature={Hex.Encode(PersonalMessage.Sign(Encoding.UTF8.GetBytes(challenge), key).ToBytes65())}");

    /// <summary>The caller of <paramref name="context"/>'s request (identified once per request).</summary>
    /// <exception cref="InvalidReadCredentialException">The credentials are malformed, wrong or expired.</exception>
    public async ValueTask<Reader> IdentifyAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ReaderKey, out var known)) return (Reader)known!;
        var reader = await IdentifyAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted).ConfigureAwait(false);
        context.Items[ReaderKey] = reader;
        return reader;
    }

    /// <summary>
    /// Whether the gateway may serve the block <paramref name="cid"/> to the caller: anything but a
    /// private decision record, which only members get (records are found by their SHA-256, whatever the CID's codec).
    /// </summary>
    /// <exception cref="InvalidReadCredentialException">The request's credentials are malformed, wrong or expired.</exception>
    public async ValueTask<bool> MayServeAsync(HttpContext context, Cid cid)
    {
        // Credentials are checked whatever the block: a wrong one cannot tell a private record from a missing block.
        if ((await IdentifyAsync(context).ConfigureAwait(false)).MaySeePrivate || cid.Hash.Code != Multihash.Sha2_256) return true;
        return await DecisionQueries.IsPrivateRecordAsync(database, cid.Hash.Digest, context.RequestAborted).ConfigureAwait(false) != true;
    }

    private async Task<Reader> IdentifyAsync(string authorization, CancellationToken cancellationToken)
    {
        if (authorization.Length == 0) return new Reader(options.AllRecordsPublic, null, false);
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? authorization : authorization[..space];
        var credentials = space < 0 ? string.Empty : authorization[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            if (_token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credentials), _token))
            {
                throw new InvalidReadCredentialException("the read token is not this bridge's");
            }

            return new Reader(true, null, true);
        }

        if (!scheme.Equals(SignatureScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidReadCredentialException($"unknown authorization scheme '{scheme}': use Bearer (the read token) or {SignatureScheme} (a member's signature over GET /api/access/challenge)");
        }

        var signer = Verify(credentials, DateTimeOffset.UtcNow);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var member = await MembershipQueries.ActiveTokenAsync(connection, null, signer, cancellationToken).ConfigureAwait(false) is not null;
        return new Reader(options.AllRecordsPublic || member, signer, false);
    }

    // Recovers the signer of "until=UNIX, signature=0x…" over this cooperative's challenge, refusing expired or too long-lived ones.
    private Address Verify(string credentials, DateTimeOffset now)
    {
        var fields = credentials.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1], StringComparer.OrdinalIgnoreCase);
        if (!fields.TryGetValue("until", out var untilText) || !long.TryParse(untilText, NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            || !fields.TryGetValue("signature", out var signatureText))
        {
            throw new InvalidReadCredentialException($"a {SignatureScheme} credential is 'until=UNIX_SECONDS, signature=0x…' (65 bytes)");
        }

        if (until <= now.ToUnixTimeSeconds()) throw new InvalidReadCredentialException("the signed challenge has expired: sign a new one");
        if (until > now.Add(MaxSignatureLifetime).ToUnixTimeSeconds())
        {
            throw new InvalidReadCredentialException($"the signed challenge is valid for longer than {MaxSignatureLifetime.TotalMinutes:0} minutes: sign a shorter-lived one");
        }

        try
        {
            return PersonalMessage.Recover(Encoding.UTF8.GetBytes(Challenge(until)), EcdsaSignature.FromBytes65(Hex.Decode(signatureText)));
        }
        catch (Exception ex) when (ex is FormatException or InvalidSignatureException)
        {
            throw new InvalidReadCredentialException($"the signature is not a valid signature of the challenge: {ex.Message}");
        }
    }
}
