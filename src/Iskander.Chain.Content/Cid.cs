namespace Iskander.Chain.Content;

/// <summary>Multicodec codes of the content types used here.</summary>
public static class Multicodec
{
    /// <summary>Raw bytes.</summary>
    public const ulong Raw = 0x55;

    /// <summary>dag-pb (UnixFS files and directories).</summary>
    public const ulong DagPb = 0x70;
}

/// <summary>
/// A content identifier. CIDv0 is a base58btc sha2-256 multihash of a dag-pb block (<c>Qm…</c>);
/// CIDv1 is version, codec and multihash, written in multibase (base32 <c>b…</c> by default).
/// Parsing is strict: unknown versions, codecs, multibases and trailing bytes are refused.
/// </summary>
public sealed class Cid : IEquatable<Cid>
{
    private Cid(int version, ulong codec, Multihash hash)
    {
        Version = version;
        Codec = codec;
        Hash = hash;
        Bytes = version == 0 ? hash.Bytes : Encode(version, codec, hash);
    }

    /// <summary>0 or 1.</summary>
    public int Version { get; }

    /// <summary>Content codec (<see cref="Multicodec"/>).</summary>
    public ulong Codec { get; }

    /// <summary>The multihash.</summary>
    public Multihash Hash { get; }

    /// <summary>Binary form (CIDv0: the multihash alone).</summary>
    public byte[] Bytes { get; }

    /// <summary>A CIDv1.</summary>
    public static Cid V1(ulong codec, Multihash hash)
    {
        if (codec is not (Multicodec.Raw or Multicodec.DagPb)) throw new FormatException($"unsupported codec 0x{codec:x}");
        return new Cid(1, codec, hash);
    }

    /// <summary>A CIDv0 (dag-pb, sha2-256 only).</summary>
    public static Cid V0(Multihash hash)
    {
        if (hash.Code != Multihash.Sha2_256) throw new FormatException("CIDv0 requires sha2-256");
        return new Cid(0, Multicodec.DagPb, hash);
    }

    /// <summary>The CIDv1 of raw bytes (what a single-block record is stored under).</summary>
    public static Cid ForRawBlock(ReadOnlySpan<byte> data) => V1(Multicodec.Raw, Multihash.Sha256(data));

    /// <summary>The same content as CIDv1.</summary>
    public Cid ToV1() => Version == 1 ? this : new Cid(1, Codec, Hash);

    /// <summary>The same content as CIDv0, when it can be one.</summary>
    public Cid ToV0() => Version == 0 ? this : V0(Codec == Multicodec.DagPb ? Hash : throw new FormatException("only dag-pb CIDs have a v0 form"));

    /// <summary>Parses text: <c>Qm…</c> (v0), <c>b…</c> (base32 v1) or <c>z…</c> (base58btc v1).</summary>
    /// <exception cref="FormatException">Not a well-formed CID.</exception>
    public static Cid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal)) return FromBytes(Multibase.DecodeBase58(text));
        if (text.Length < 2) throw new FormatException("CID text too short");
        var bytes = text[0] switch
        {
            'b' => Multibase.DecodeBase32(text.AsSpan(1)),
            'z' => Multibase.DecodeBase58(text.AsSpan(1)),
            _ => throw new FormatException($"unsupported multibase prefix '{text[0]}'"),
        };
        var cid = FromBytes(bytes);
        return cid.Version == 1 ? cid : throw new FormatException("a multibase-prefixed CID must be version 1");
    }

    /// <summary>Parses, returning false instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Cid? cid)
    {
        try
        {
            cid = text is null ? null : Parse(text);
            return cid is not null;
        }
        catch (FormatException)
        {
            cid = null;
            return false;
        }
    }

    /// <summary>Decodes the binary form (which must be exactly one CID).</summary>
    public static Cid FromBytes(ReadOnlySpan<byte> bytes)
    {
        var cid = Read(bytes, out var length);
        return length == bytes.Length ? cid : throw new FormatException("trailing bytes after CID");
    }

    /// <summary>Reads one CID from the start of <paramref name="source"/> (as CAR files store them).</summary>
    public static Cid Read(ReadOnlySpan<byte> source, out int length)
    {
        if (source.Length >= 2 && source[0] == 0x12 && source[1] == 0x20)
        {
            return V0(Multihash.Read(source, out length));
        }

        var version = Varint.Read(source, out var versionLength);
        if (version != 1) throw new FormatException($"unsupported CID version {version}");
        var codec = Varint.Read(source[versionLength..], out var codecLength);
        var hash = Multihash.Read(source[(versionLength + codecLength)..], out var hashLength);
        length = versionLength + codecLength + hashLength;
        return V1(codec, hash);
    }

    /// <inheritdoc />
    public override string ToString() => Version == 0 ? Multibase.EncodeBase58(Bytes) : "b" + Multibase.EncodeBase32(Bytes);

    /// <inheritdoc />
    public bool Equals(Cid? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Cid);

    /// <inheritdoc />
    public override int GetHashCode() => Hash.GetHashCode();

    private static byte[] Encode(int version, ulong codec, Multihash hash)
    {
        var bytes = new byte[Varint.Size((ulong)version) + Varint.Size(codec) + hash.Bytes.Length];
        var offset = Varint.Write((ulong)version, bytes);
        offset += Varint.Write(codec, bytes.AsSpan(offset));
        hash.Bytes.CopyTo(bytes.AsSpan(offset));
        return bytes;
    }
}
