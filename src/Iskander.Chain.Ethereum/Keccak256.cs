using System.Buffers.Binary;
using System.Numerics;

namespace Iskander.Chain.Ethereum;

/// <summary>
/// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not SHA3-256's 0x06).
/// Allocation-free over spans; the permutation keeps the 25 lanes in locals, which the JIT
/// holds in registers and the stack, several times faster than an array-indexed loop.
/// </summary>
public static class Keccak256
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSize = 32;

    private const int Rate = 136;

    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL,
        0x0000000000008082UL,
        0x800000000000808AUL,
        0x8000000080008000UL,
        0x000000000000808BUL,
        0x0000000080000001UL,
        0x8000000080008081UL,
        0x8000000000008009UL,
        0x000000000000008AUL,
        0x0000000000000088UL,
        0x0000000080008009UL,
        0x000000008000000AUL,
        0x000000008000808BUL,
        0x800000000000008BUL,
        0x8000000000008089UL,
        0x8000000000008003UL,
        0x8000000000008002UL,
        0x8000000000000080UL,
        0x000000000000800AUL,
        0x800000008000000AUL,
        0x8000000080008081UL,
        0x8000000000008080UL,
        0x0000000080000001UL,
        0x8000000080008008UL,
    ];

    /// <summary>Hashes <paramref name="input"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        if (destination.Length < HashSize) throw new ArgumentException("destination must hold 32 bytes", nameof(destination));
        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (input.Length >= Rate)
        {
            Absorb(state, input[..Rate]);
            Permute(state);
            input = input[Rate..];
        }

        Span<byte> last = stackalloc byte[Rate];
        last.Clear();
        input.CopyTo(last);
        last[input.Length] ^= 0x01;
        last[Rate - 1] ^= 0x80;
        Absorb(state, last);
        Permute(state);
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(i * 8)..], state[i]);
        }
    }

    /// <summary>Hashes <paramref name="input"/> and returns the 32-byte digest.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        var digest = new byte[HashSize];
        Hash(input, digest);
        return digest;
    }

    private static void Absorb(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (var i = 0; i < Rate / 8; i++)
        {
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block[(i * 8)..]);
        }
    }

    private static void Permute(Span<ulong> state)
    {
        var a00 = state[0];
        var a01 = state[1];
        var a02 = state[2];
        var a03 = state[3];
        var a04 = state[4];
        var a05 = state[5];
        var a06 = state[6];
        var a07 = state[7];
        var a08 = state[8];
        var a09 = state[9];
        var a10 = state[10];
        var a11 = state[11];
        var a12 = state[12];
        var a13 = state[13];
        var a14 = state[14];
        var a15 = state[15];
        var a16 = state[16];
        var a17 = state[17];
        var a18 = state[18];
        var a19 = state[19];
        var a20 = state[20];
        var a21 = state[21];
        var a22 = state[22];
        var a23 = state[23];
        var a24 = state[24];
        for (var round = 0; round < 24; round++)
        {
            var c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            var c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            var c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            var c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            var c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            var d0 = c4 ^ BitOperations.RotateLeft(c1, 1);
            var d1 = c0 ^ BitOperations.RotateLeft(c2, 1);
            var d2 = c1 ^ BitOperations.RotateLeft(c3, 1);
            var d3 = c2 ^ BitOperations.RotateLeft(c4, 1);
            var d4 = c3 ^ BitOperations.RotateLeft(c0, 1);
            var b00 = a00 ^ d0;
            var b16 = BitOperations.RotateLeft(a05 ^ d0, 36);
            var b07 = BitOperations.RotateLeft(a10 ^ d0, 3);
            var b23 = BitOperations.RotateLeft(a15 ^ d0, 41);
            var b14 = BitOperations.RotateLeft(a20 ^ d0, 18);
            var b10 = BitOperations.RotateLeft(a01 ^ d1, 1);
            var b01 = BitOperations.RotateLeft(a06 ^ d1, 44);
            var b17 = BitOperations.RotateLeft(a11 ^ d1, 10);
            var b08 = BitOperations.RotateLeft(a16 ^ d1, 45);
            var b24 = BitOperations.RotateLeft(a21 ^ d1, 2);
            var b20 = BitOperations.RotateLeft(a02 ^ d2, 62);
            var b11 = BitOperations.RotateLeft(a07 ^ d2, 6);
            var b02 = BitOperations.RotateLeft(a12 ^ d2, 43);
            var b18 = BitOperations.RotateLeft(a17 ^ d2, 15);
            var b09 = BitOperations.RotateLeft(a22 ^ d2, 61);
            var b05 = BitOperations.RotateLeft(a03 ^ d3, 28);
            var b21 = BitOperations.RotateLeft(a08 ^ d3, 55);
            var b12 = BitOperations.RotateLeft(a13 ^ d3, 25);
            var b03 = BitOperations.RotateLeft(a18 ^ d3, 21);
            var b19 = BitOperations.RotateLeft(a23 ^ d3, 56);
            var b15 = BitOperations.RotateLeft(a04 ^ d4, 27);
            var b06 = BitOperations.RotateLeft(a09 ^ d4, 20);
            var b22 = BitOperations.RotateLeft(a14 ^ d4, 39);
            var b13 = BitOperations.RotateLeft(a19 ^ d4, 8);
            var b04 = BitOperations.RotateLeft(a24 ^ d4, 14);
            a00 = b00 ^ (~b01 & b02);
            a01 = b01 ^ (~b02 & b03);
            a02 = b02 ^ (~b03 & b04);
            a03 = b03 ^ (~b04 & b00);
            a04 = b04 ^ (~b00 & b01);
            a05 = b05 ^ (~b06 & b07);
            a06 = b06 ^ (~b07 & b08);
            a07 = b07 ^ (~b08 & b09);
            a08 = b08 ^ (~b09 & b05);
            a09 = b09 ^ (~b05 & b06);
            a10 = b10 ^ (~b11 & b12);
            a11 = b11 ^ (~b12 & b13);
            a12 = b12 ^ (~b13 & b14);
            a13 = b13 ^ (~b14 & b10);
            a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17);
            a16 = b16 ^ (~b17 & b18);
            a17 = b17 ^ (~b18 & b19);
            a18 = b18 ^ (~b19 & b15);
            a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22);
            a21 = b21 ^ (~b22 & b23);
            a22 = b22 ^ (~b23 & b24);
            a23 = b23 ^ (~b24 & b20);
            a24 = b24 ^ (~b20 & b21);
            a00 ^= RoundConstants[round];
        }
        state[0] = a00;
        state[1] = a01;
        state[2] = a02;
        state[3] = a03;
        state[4] = a04;
        state[5] = a05;
        state[6] = a06;
        state[7] = a07;
        state[8] = a08;
        state[9] = a09;
        state[10] = a10;
        state[11] = a11;
        state[12] = a12;
        state[13] = a13;
        state[14] = a14;
        state[15] = a15;
        state[16] = a16;
        state[17] = a17;
        state[18] = a18;
        state[19] = a19;
        state[20] = a20;
        state[21] = a21;
        state[22] = a22;
        state[23] = a23;
        state[24] = a24;
    }
}
