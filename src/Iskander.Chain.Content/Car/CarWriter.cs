namespace Iskander.Chain.Content.Car;

/// <summary>
/// Writes CAR v1 files: a varint-framed dag-cbor header <c>{roots: [CID…], version: 1}</c>, then
/// each block as varint(length) ‖ CID ‖ bytes.
/// </summary>
public sealed class CarWriter : IBlockSink
{
    private readonly Stream _output;

    private CarWriter(Stream output) => _output = output;

    /// <summary>Starts a CAR on <paramref name="output"/> with the given roots.</summary>
    public static async Task<CarWriter> CreateAsync(Stream output, IReadOnlyList<Cid> roots, CancellationToken cancellationToken = default)
    {
        var header = EncodeHeader(roots);
        var frame = new byte[Varint.Size((ulong)header.Length)];
        Varint.Write((ulong)header.Length, frame);
        await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        return new CarWriter(output);
    }

    /// <summary>Appends one block.</summary>
    public async ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        var length = (ulong)(cid.Bytes.Length + block.Length);
        var frame = new byte[Varint.Size(length)];
        Varint.Write(length, frame);
        await _output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(cid.Bytes, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(block, cancellationToken).ConfigureAwait(false);
    }

    // dag-cbor: map(2) { "roots": [tag(42, bytes(0x00 ‖ cid))…], "version": 1 } — keys in canonical order.
    internal static byte[] EncodeHeader(IReadOnlyList<Cid> roots)
    {
        using var cbor = new MemoryStream();
        cbor.WriteByte(0xa2);
        WriteText(cbor, "roots");
        WriteHead(cbor, 4, (ulong)roots.Count);
        foreach (var root in roots)
        {
            cbor.Write([0xd8, 0x2a]);
            WriteHead(cbor, 2, (ulong)root.Bytes.Length + 1);
            cbor.WriteByte(0x00);
            cbor.Write(root.Bytes);
        }

        WriteText(cbor, "version");
        cbor.WriteByte(0x01);
        return cbor.ToArray();
    }

    private static void WriteText(Stream cbor, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        WriteHead(cbor, 3, (ulong)bytes.Length);
        cbor.Write(bytes);
    }

    private static void WriteHead(Stream cbor, int major, ulong value)
    {
        var type = (byte)(major << 5);
        switch (value)
        {
            case < 24:
                cbor.WriteByte((byte)(type | (byte)value));
                break;
            case <= byte.MaxValue:
                cbor.Write([(byte)(type | 24), (byte)value]);
                break;
            case <= ushort.MaxValue:
                cbor.Write([(byte)(type | 25), (byte)(value >> 8), (byte)value]);
                break;
            default:
                cbor.Write([(byte)(type | 26), (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
                break;
        }
    }
}
