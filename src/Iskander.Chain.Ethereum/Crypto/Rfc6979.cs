using System.Security.Cryptography;
using BcInteger = Org.BouncyCastle.Math.BigInteger;

namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>
/// RFC 6979 deterministic nonces with HMAC-SHA256 for a 256-bit group order (section 3.2, with
/// qlen = hlen = 256, so bits2int is the identity on 32-byte strings). Uses the BCL's HMAC, several
/// times faster than a managed one; checked through the signature vectors it reproduces.
/// </summary>
internal ref struct Rfc6979
{
    private readonly BcInteger _order;
    private Span<byte> _k;
    private Span<byte> _v;
    private bool _returnedOne;

    public Rfc6979(BcInteger order, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash, Span<byte> k, Span<byte> v)
    {
        _order = order;
        _k = k;
        _v = v;
        Span<byte> reducedHash = stackalloc byte[32];
        var h = new BcInteger(1, hash.ToArray()).Mod(order).ToByteArrayUnsigned();
        reducedHash.Clear();
        h.CopyTo(reducedHash[(32 - h.Length)..]);

        _v.Fill(0x01);
        _k.Clear();
        Span<byte> seed = stackalloc byte[32 + 1 + 32 + 32];
        for (byte marker = 0; marker <= 1; marker++)
        {
            _v.CopyTo(seed);
            seed[32] = marker;
            privateKey.CopyTo(seed[33..]);
            reducedHash.CopyTo(seed[65..]);
            HMACSHA256.HashData(_k, seed, _k);
            HMACSHA256.HashData(_k, _v, _v);
        }
    }

    /// <summary>The next candidate nonce in [1, n).</summary>
    public BcInteger Next()
    {
        while (true)
        {
            if (_returnedOne) Advance();
            HMACSHA256.HashData(_k, _v, _v);
            var candidate = new BcInteger(1, _v.ToArray());
            _returnedOne = candidate.SignValue > 0 && candidate.CompareTo(_order) < 0;
            if (_returnedOne) return candidate;
            Advance();
        }
    }

    // K = HMAC_K(V ‖ 0x00), V = HMAC_K(V): the step before every further candidate.
    private void Advance()
    {
        Span<byte> input = stackalloc byte[33];
        _v.CopyTo(input);
        input[32] = 0x00;
        HMACSHA256.HashData(_k, input, _k);
        HMACSHA256.HashData(_k, _v, _v);
        _returnedOne = false;
    }
}
