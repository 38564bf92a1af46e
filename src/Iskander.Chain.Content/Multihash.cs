using System.Security.Cryptography;

namespace Iskander.Chain.Content;

/// <summary>A self-describing hash: function code, digest length, digest. sha2-256 and identity are supported.</summary>
public sealed class Multihash : IEquatable<Multihash>
{
    /// <summary>sha2-256.</summary>
    public const ulong Sha2_256 = 0x12;

    /// <summary>identity (the "digest" is the data itself; for tiny blocks).</summary>
    public const ulong Identity = 0x00;

    private const int MaxIdentityLength = 128;

    private Multihash(ulong code, byte[] digest, byte[] bytes)
    {
        Code = code;
        Digest = digest;
        Bytes = bytes;
    }

    /// <summary>Hash function code.</summary>
    public ulong Code { get; }

    /// <summary>The digest.</summary>
    public byte[] Digest { get; }

    /// <summary>The full encoding: varint code, varint length, digest.</summary>
    public byte[] Bytes { get; }

    /// <summary>sha2-256 of <paramref name="data"/>.</summary>
    public static Multihash Sha256(ReadOnlySpan<byte> data) => Create(Sha2_256, SHA256.HashData(data));

    /// <summary>A multihash from its parts.</summary>
    /// <exception cref="FormatException">Unsupported code or a digest of the wrong length.</exception>
    public static Multihash Create(ulong code, ReadOnlySpan<byte> digest)
    {
        if (code == Sha2_256 && digest.Length != 32) throw new FormatException("sha2-256 digests are 32 bytes");
        if (code == Identity && digest.Length > MaxIdentityLength) throw new FormatException($"identity multihashes hold at most {MaxIdentityLength} bytes");
        if (code is not (Sha2_256 or Identity)) throw new FormatException($"unsupported multihash function 0x{code:x}");
        var bytes = new byte[Varint.Size(code) + Varint.Size((ulong)digest.Length) + digest.Length];
        var offset = Varint.Write(code, bytes);
        offset += Varint.Write((ulong)digest.Length, bytes.AsSpan(offset));
        digest.CopyTo(bytes.AsSpan(offset));
        return new Multihash(code, digest.ToArray(), bytes);
    }

    /// <summary>Reads a multihash from the start of <paramref name="source"/>.</summary>
    public static Multihash Read(ReadOnlySpan<byte> source, out int length)
    {
        var code = Varint.Read(source, out var codeLength);
        var digestLength = Varint.Read(source[codeLength..], out var lengthLength);
        var start = codeLength + lengthLength;
        if (digestLength > (ulong)(source.Length - start)) throw new FormatException("multihash digest runs past the end");
        length = start + (int)digestLength;
        return Create(code, source[start..length]);
    }

    /// <summary>Whether <paramref name="data"/> hashes to this multihash.</summary>
    public bool Matches(ReadOnlySpan<byte> data) => Code switch
    {
        Sha2_256 => SHA256.HashData(data).AsSpan().SequenceEqual(Digest),
        Identity => data.SequenceEqual(Digest),
        _ => false,
    };

    /// <inheritdoc />
    public bool Equals(Multihash? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Multihash);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }
}
