using System.Buffers.Binary;
using System.Numerics;

namespace Iskander.Chain.Zk.Hashing;

/// <summary>
/// BLAKE-512, the original SHA-3 finalist (not BLAKE2b): what circomlib's EdDSA and MACI's key
/// formatting hash keys with. BouncyCastle has only BLAKE2/BLAKE3, so it is written here from the
/// specification (Aumasson et al., "SHA-3 proposal BLAKE", v1.3) and checked against its published
/// vectors and the npm <c>blake-hash</c> implementation.
/// </summary>
public static class Blake512
{
    /// <summary>Digest length in bytes.</summary>
    public const int HashSize = 64;

    private const int BlockSize = 128;

    private static readonly ulong[] InitialValue =
    [
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
        0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    ];

    // The first digits of π.
    private static readonly ulong[] Constants =
    [
        0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89,
        0x452821E638D01377, 0xBE5466CF34E90C6C, 0xC0AC29B7C97C50DD, 0x3F84D5B5B5470917,
        0x9216D5D98979FB1B, 0xD1310BA698DFB5AC, 0x2FFD72DBD01ADFB7, 0xB8E1AFED6A267E96,
        0xBA7C9045F12C7F99, 0x24A19947B3916CF7, 0x0801F2E2858EFC16, 0x636920D871574E69,
    ];

    private static readonly byte[,] Sigma =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
        { 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
        { 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
        { 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
        { 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
        { 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
        { 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
        { 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
        { 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
        { 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
    };

    /// <summary>The 64-byte digest of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new byte[HashSize];
        Hash(data, digest);
        return digest;
    }

    /// <summary>Writes the digest of <paramref name="data"/> into <paramref name="destination"/> (64 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<ulong> h = stackalloc ulong[8];
        InitialValue.CopyTo(h);
        var bitLength = (UInt128)data.Length * 8;
        var offset = 0;
        // Every full block except the last one that holds message bytes.
        while (data.Length - offset > BlockSize)
        {
            Compress(h, data.Slice(offset, BlockSize), (UInt128)(offset + BlockSize) * 8);
            offset += BlockSize;
        }

        // Padding: a 1 bit, zeros, a 1 bit just before the 128-bit big-endian length.
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        tail.Clear();
        var remaining = data.Length - offset;
        data[offset..].CopyTo(tail);
        tail[remaining] = 0x80;
        var blocks = remaining <= BlockSize - 17 ? 1 : 2;
        var end = blocks * BlockSize;
        tail[end - 17] |= 0x01;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(end - 16)..], (ulong)(bitLength >> 64));
        BinaryPrimitives.WriteUInt64BigEndian(tail[(end - 8)..], (ulong)bitLength);
        // The counter excludes padding bits, so a block that holds none of the message counts 0.
        Compress(h, tail[..BlockSize], bitLength);
        if (blocks == 2) Compress(h, tail[BlockSize..end], 0);

        for (var i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64BigEndian(destination[(i * 8)..], h[i]);
    }

    private static void Compress(Span<ulong> h, ReadOnlySpan<byte> block, UInt128 counter)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (var i = 0; i < 16; i++) m[i] = BinaryPrimitives.ReadUInt64BigEndian(block[(i * 8)..]);
        Span<ulong> v = stackalloc ulong[16];
        h.CopyTo(v);
        var t0 = (ulong)counter;
        var t1 = (ulong)(counter >> 64);
        v[8] = Constants[0];
        v[9] = Constants[1];
        v[10] = Constants[2];
        v[11] = Constants[3];
        v[12] = t0 ^ Constants[4];
        v[13] = t0 ^ Constants[5];
        v[14] = t1 ^ Constants[6];
        v[15] = t1 ^ Constants[7];
        for (var round = 0; round < 16; round++)
        {
            var r = round % 10;
            G(v, m, r, 0, 0, 4, 8, 12);
            G(v, m, r, 1, 1, 5, 9, 13);
            G(v, m, r, 2, 2, 6, 10, 14);
            G(v, m, r, 3, 3, 7, 11, 15);
            G(v, m, r, 4, 0, 5, 10, 15);
            G(v, m, r, 5, 1, 6, 11, 12);
            G(v, m, r, 6, 2, 7, 8, 13);
            G(v, m, r, 7, 3, 4, 9, 14);
        }

        for (var i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
    }

    private static void G(Span<ulong> v, ReadOnlySpan<ulong> m, int round, int i, int a, int b, int c, int d)
    {
        var first = Sigma[round, 2 * i];
        var second = Sigma[round, (2 * i) + 1];
        v[a] += v[b] + (m[first] ^ Constants[second]);
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 25);
        v[a] += v[b] + (m[second] ^ Constants[first]);
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 11);
    }
}
