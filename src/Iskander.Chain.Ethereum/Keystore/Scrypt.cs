using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Iskander.Chain.Ethereum.Keystore;

/// <summary>
/// scrypt (RFC 7914) without the RFC's N &lt; 2^(128·r/8) restriction that BouncyCastle and OpenSSL
/// enforce: Web3 Secret Storage files use N = 2^18 with r = 1, which they reject. PBKDF2-HMAC-SHA256
/// comes from the BCL; ROMix and Salsa20/8 are implemented here.
/// </summary>
public static class Scrypt
{
    /// <summary>Largest N accepted (memory is 128·r·N bytes per lane).</summary>
    public const int MaxN = 1 << 22;

    /// <summary>Derives <paramref name="length"/> bytes.</summary>
    /// <exception cref="ArgumentException">Parameters out of range (N not a power of two above 1, or too large).</exception>
    public static byte[] Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, int length)
    {
        if (n < 2 || !BitOperations.IsPow2(n) || n > MaxN) throw new ArgumentException($"scrypt N must be a power of two from 2 to {MaxN}, not {n}");
        if (r < 1 || p < 1 || (long)r * p >= 1 << 30) throw new ArgumentException($"scrypt r = {r}, p = {p} out of range");
        if ((long)128 * r * n > int.MaxValue) throw new ArgumentException("scrypt memory (128·r·N) exceeds 2 GiB");

        var blockSize = 128 * r;
        var b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, p * blockSize);
        Parallel.For(0, p, lane => RoMix(b.AsSpan(lane * blockSize, blockSize), n, r));
        return Rfc2898DeriveBytes.Pbkdf2(password, b, 1, HashAlgorithmName.SHA256, length);
    }

    private static void RoMix(Span<byte> block, int n, int r)
    {
        var words = 32 * r;
        var x = new uint[words];
        var v = new uint[words * n];
        var scratch = new uint[words];
        for (var i = 0; i < words; i++) x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);

        for (var i = 0; i < n; i++)
        {
            x.CopyTo(v, i * words);
            BlockMix(x, scratch, r);
        }

        for (var i = 0; i < n; i++)
        {
            var j = (int)(x[(2 * r - 1) * 16] & (uint)(n - 1));
            var vj = v.AsSpan(j * words, words);
            for (var k = 0; k < words; k++) x[k] ^= vj[k];
            BlockMix(x, scratch, r);
        }

        for (var i = 0; i < words; i++) BinaryPrimitives.WriteUInt32LittleEndian(block[(i * 4)..], x[i]);
    }

    // BlockMix_{Salsa20/8, r}: Y_i = Salsa(X ^ B_i); output even blocks first, then odd ones.
    private static void BlockMix(uint[] b, uint[] y, int r)
    {
        Span<uint> x = stackalloc uint[16];
        b.AsSpan((2 * r - 1) * 16, 16).CopyTo(x);
        for (var i = 0; i < 2 * r; i++)
        {
            var bi = b.AsSpan(i * 16, 16);
            for (var k = 0; k < 16; k++) x[k] ^= bi[k];
            Salsa208(x);
            x.CopyTo(y.AsSpan((i % 2 == 0 ? i / 2 : r + i / 2) * 16, 16));
        }

        y.CopyTo(b, 0);
    }

    private static void Salsa208(Span<uint> state)
    {
        uint x0 = state[0], x1 = state[1], x2 = state[2], x3 = state[3], x4 = state[4], x5 = state[5], x6 = state[6], x7 = state[7],
            x8 = state[8], x9 = state[9], x10 = state[10], x11 = state[11], x12 = state[12], x13 = state[13], x14 = state[14], x15 = state[15];
        for (var round = 0; round < 8; round += 2)
        {
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7); x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13); x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7); x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13); x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7); x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13); x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7); x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13); x15 ^= BitOperations.RotateLeft(x11 + x7, 18);

            x1 ^= BitOperations.RotateLeft(x0 + x3, 7); x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13); x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7); x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13); x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7); x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13); x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7); x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13); x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }

        state[0] += x0; state[1] += x1; state[2] += x2; state[3] += x3; state[4] += x4; state[5] += x5; state[6] += x6; state[7] += x7;
        state[8] += x8; state[9] += x9; state[10] += x10; state[11] += x11; state[12] += x12; state[13] += x13; state[14] += x14; state[15] += x15;
    }
}
