using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Setup;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// An open snarkjs binary file whose sections are read by id, each checked for its exact length
/// before any of it is read, so that a damaged file fails with a <see cref="ProvingFileException"/>
/// naming the section instead of a crash or an endless read.
/// </summary>
internal sealed class SnarkjsBinFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<int, BinFileSection> _sections = [];
    private readonly IReadOnlyDictionary<int, string> _sectionNames;

    private SnarkjsBinFile(string path, FileStream stream, IReadOnlyDictionary<int, string> sectionNames)
    {
        Name = Path.GetFileName(path);
        _stream = stream;
        _sectionNames = sectionNames;
    }

    /// <summary>The file's name, for messages.</summary>
    public string Name { get; }

    /// <summary>Opens <paramref name="path"/> and reads its section index.</summary>
    public static SnarkjsBinFile Open(string path, string magic, IReadOnlyDictionary<int, string> sectionNames)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var file = new SnarkjsBinFile(path, stream, sectionNames);
        try
        {
            IReadOnlyList<BinFileSection> sections;
            try
            {
                sections = BinFileSections.Read(stream, magic);
            }
            catch (FormatException e)
            {
                throw new ProvingFileException($"{file.Name}: {e.Message}", e);
            }

            foreach (var section in sections)
            {
                // snarkjs reads every section of these files as a unique one.
                if (!file._sections.TryAdd(section.Id, section)) throw file.Error(section.Id, "appears more than once");
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>An error about section <paramref name="id"/>.</summary>
    public ProvingFileException Error(int id, string problem) =>
        new($"{Name}: section {id} ({(_sectionNames.TryGetValue(id, out var name) ? name : "unknown")}) {problem}");

    /// <summary>Section <paramref name="id"/>, which must be present and <paramref name="length"/> bytes long (any length when null).</summary>
    public BinFileSection Section(int id, long? length = null)
    {
        if (!_sections.TryGetValue(id, out var section)) throw Error(id, "is missing");
        if (length is { } expected && section.Length != expected) throw Error(id, $"is {section.Length:N0} bytes; {expected:N0} expected");
        return section;
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/> bytes into section <paramref name="id"/> (lengths checked by the caller).</summary>
    public void Read(int id, long offset, Span<byte> destination)
    {
        var section = Section(id);
        if (offset < 0 || offset + destination.Length > section.Length) throw Error(id, "is shorter than its contents");
        _stream.Position = section.Offset + offset;
        _stream.ReadExactly(destination);
    }

    /// <summary>Fills <paramref name="destination"/>'s bytes from section <paramref name="id"/> at <paramref name="offset"/>.</summary>
    public void Read<T>(int id, long offset, Span<T> destination)
        where T : unmanaged => Read(id, offset, MemoryMarshal.AsBytes(destination));

    /// <summary>A little-endian u32 at <paramref name="offset"/> of section <paramref name="id"/>.</summary>
    public uint ReadUInt32(int id, long offset)
    {
        Span<byte> bytes = stackalloc byte[4];
        Read(id, offset, bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    /// <summary>Checks a field description (u32 byte size, then the prime in that many little-endian bytes) at <paramref name="offset"/>.</summary>
    public void ExpectPrime(int id, long offset, BigInteger prime, string what)
    {
        var size = ReadUInt32(id, offset);
        if (size != 32) throw Error(id, $"describes a {what} of {size} bytes; BN254 needs 32");
        Span<byte> bytes = stackalloc byte[32];
        Read(id, offset + 4, bytes);
        if (new BigInteger(bytes, isUnsigned: true, isBigEndian: false) != prime) throw Error(id, $"is for another curve: its {what} is not BN254's");
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
