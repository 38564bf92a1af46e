using System.Buffers.Binary;
using System.Text;

namespace Iskander.Chain.Zk.Setup;

/// <summary>Where one section of a snarkjs binary file lies.</summary>
/// <param name="Id">The section id.</param>
/// <param name="Offset">Offset of its payload in the file.</param>
/// <param name="Length">Payload length in bytes.</param>
public readonly record struct BinFileSection(int Id, long Offset, long Length);

/// <summary>
/// The section index of a snarkjs/iden3 binary file (.ptau, .zkey, .wtns, .r1cs): a 4-byte magic,
/// a u32 version, a u32 section count, then per section a u32 id, a u64 length and the payload.
/// Sections may come in any order; readers look them up by id.
/// </summary>
public static class BinFileSections
{
    /// <summary>Reads the section headers of <paramref name="file"/>, checking the magic and that every section lies inside the file.</summary>
    /// <exception cref="FormatException">Wrong magic, a truncated header, or a section past the end of the file.</exception>
    public static IReadOnlyList<BinFileSection> Read(Stream file, string magic)
    {
        ArgumentNullException.ThrowIfNull(file);
        Span<byte> header = stackalloc byte[12];
        file.Position = 0;
        if (file.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12) throw new FormatException("the file is shorter than a binary file header");
        if (Encoding.ASCII.GetString(header[..4]) != magic) throw new FormatException($"not a {magic} file (magic '{Encoding.ASCII.GetString(header[..4])}')");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        var sections = new List<BinFileSection>();
        var position = 12L;
        for (var i = 0; i < count; i++)
        {
            file.Position = position;
            if (file.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12) throw new FormatException($"section header {i + 1} of {count} is truncated");
            var id = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header[4..]);
            if (length > (ulong)(file.Length - position - 12)) throw new FormatException($"section {id} claims {length} bytes but the file ends before that");
            sections.Add(new BinFileSection((int)id, position + 12, (long)length));
            position += 12 + (long)length;
        }

        return sections;
    }
}
