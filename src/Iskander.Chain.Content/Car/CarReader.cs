namespace Iskander.Chain.Content.Car;

/// <summary>A CAR file's content is malformed, or a block does not hash to its CID.</summary>
public sealed class CarFormatException(string message) : FormatException(message);

/// <summary>
/// Reads CAR v1 files and verifies every block against its CID while reading, so a tampered block
/// is never returned. Sizes are bounded (header, block) against hostile input.
/// </summary>
public static class CarReader
{
    /// <summary>Largest header accepted.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>Largest block accepted (Kubo's own limit is 2 MiB; the slack covers the CID).</summary>
    public const int MaxBlockBytes = 4 * 1024 * 1024;

    /// <summary>Reads the whole CAR: its roots and its verified blocks.</summary>
    /// <exception cref="CarFormatException">Malformed, truncated, oversized, or a block whose bytes do not match its CID.</exception>
    public static (IReadOnlyList<Cid> Roots, IReadOnlyList<(Cid Cid, byte[] Block)> Blocks) Read(ReadOnlySpan<byte> car)
    {
        try
        {
            var headerLength = Varint.Read(car, out var framing);
            if (headerLength > MaxHeaderBytes || headerLength > (ulong)(car.Length - framing)) throw new CarFormatException("CAR header is too long or truncated");
            var roots = DecodeHeader(car.Slice(framing, (int)headerLength));
            var position = framing + (int)headerLength;
            var blocks = new List<(Cid, byte[])>();
            while (position < car.Length)
            {
                var length = Varint.Read(car[position..], out var read);
                position += read;
                if (length > MaxBlockBytes || length > (ulong)(car.Length - position)) throw new CarFormatException($"CAR block at offset {position} is too long or truncated");
                var section = car.Slice(position, (int)length);
                var cid = Cid.Read(section, out var cidLength);
                var block = section[cidLength..];
                if (!cid.Hash.Matches(block)) throw new CarFormatException($"block {cid} does not hash to its CID (tampered)");
                blocks.Add((cid, block.ToArray()));
                position += (int)length;
            }

            return (roots, blocks);
        }
        catch (FormatException ex) when (ex is not CarFormatException)
        {
            throw new CarFormatException($"malformed CAR: {ex.Message}");
        }
    }

    // The header is a small dag-cbor map; only the exact shape CAR v1 uses is accepted.
    private static List<Cid> DecodeHeader(ReadOnlySpan<byte> cbor)
    {
        var position = 0;
        var entries = ReadHead(cbor, ref position, 5);
        List<Cid>? roots = null;
        ulong? version = null;
        for (ulong i = 0; i < entries; i++)
        {
            var keyLength = ReadHead(cbor, ref position, 3);
            var key = System.Text.Encoding.UTF8.GetString(Take(cbor, ref position, keyLength));
            switch (key)
            {
                case "version":
                    version = ReadHead(cbor, ref position, 0);
                    break;
                case "roots":
                    var count = ReadHead(cbor, ref position, 4);
                    roots = [];
                    for (ulong r = 0; r < count; r++)
                    {
                        if (ReadHead(cbor, ref position, 6) != 42) throw new CarFormatException("CAR root is not a CID (tag 42)");
                        var bytes = Take(cbor, ref position, ReadHead(cbor, ref position, 2));
                        if (bytes.Length < 2 || bytes[0] != 0) throw new CarFormatException("CAR root CID lacks its 0x00 prefix");
                        roots.Add(Cid.FromBytes(bytes[1..]));
                    }

                    break;
                default:
                    throw new CarFormatException($"unexpected CAR header key '{key}'");
            }
        }

        if (version != 1) throw new CarFormatException($"unsupported CAR version {version}");
        return roots ?? throw new CarFormatException("CAR header has no roots");
    }

    private static ulong ReadHead(ReadOnlySpan<byte> cbor, ref int position, int expectedMajor)
    {
        if (position >= cbor.Length) throw new CarFormatException("CAR header truncated");
        var initial = cbor[position++];
        if (initial >> 5 != expectedMajor) throw new CarFormatException($"unexpected CBOR type {initial >> 5} in CAR header");
        var info = initial & 31;
        if (info < 24) return (ulong)info;
        var size = info switch { 24 => 1, 25 => 2, 26 => 4, 27 => 8, _ => throw new CarFormatException("indefinite CBOR lengths are not dag-cbor") };
        var bytes = Take(cbor, ref position, (ulong)size);
        ulong value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> cbor, ref int position, ulong length)
    {
        if (length > (ulong)(cbor.Length - position)) throw new CarFormatException("CAR header truncated");
        var slice = cbor.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }
}
