using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>Base for the one-word types: they are static and 32 bytes long.</summary>
public abstract class AbiWordType : AbiType
{
    /// <inheritdoc />
    public sealed override bool IsDynamic => false;

    internal sealed override int StaticSize => WordSize;

    internal sealed override int EncodedSize(object? value) => WordSize;
}

/// <summary><c>uintN</c>: values 0 ≤ v &lt; 2^N, decoded as <see cref="BigInteger"/>.</summary>
public sealed class AbiUInt : AbiWordType
{
    private readonly BigInteger _limit;

    /// <summary>Creates <c>uint{bits}</c>; bits is a multiple of 8 from 8 to 256.</summary>
    public AbiUInt(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0) throw new AbiException($"uint{bits} is not an ABI type");
        Bits = bits;
        _limit = BigInteger.One << bits;
    }

    /// <summary>Width in bits.</summary>
    public int Bits { get; }

    /// <inheritdoc />
    public override string Name => $"uint{Bits}";

    internal override void Write(object? value, Span<byte> destination)
    {
        var integer = AbiValues.Integer(value, this);
        if (integer.Sign < 0 || integer >= _limit) throw new AbiException($"{integer} is out of range for {Name}");
        destination.Clear();
        integer.TryWriteBytes(destination[(WordSize - integer.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var value = new BigInteger(Word(data, start, context), isUnsigned: true, isBigEndian: true);
        return value < _limit ? value : throw new AbiException($"value at offset {start} does not fit {Name} (dirty high bits)");
    }
}

/// <summary><c>intN</c>: two's complement, −2^(N−1) ≤ v &lt; 2^(N−1), sign-extended to 32 bytes.</summary>
public sealed class AbiInt : AbiWordType
{
    private readonly BigInteger _max;

    /// <summary>Creates <c>int{bits}</c>; bits is a multiple of 8 from 8 to 256.</summary>
    public AbiInt(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0) throw new AbiException($"int{bits} is not an ABI type");
        Bits = bits;
        _max = BigInteger.One << (bits - 1);
    }

    /// <summary>Width in bits.</summary>
    public int Bits { get; }

    /// <inheritdoc />
    public override string Name => $"int{Bits}";

    internal override void Write(object? value, Span<byte> destination)
    {
        var integer = AbiValues.Integer(value, this);
        if (integer < -_max || integer >= _max) throw new AbiException($"{integer} is out of range for {Name}");
        destination.Fill(integer.Sign < 0 ? (byte)0xff : (byte)0);
        var length = integer.GetByteCount();
        integer.TryWriteBytes(destination[(WordSize - length)..], out _, isBigEndian: true);
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var value = new BigInteger(Word(data, start, context), isBigEndian: true);
        return value >= -_max && value < _max ? value : throw new AbiException($"value at offset {start} does not fit {Name} (bad sign extension)");
    }
}

/// <summary><c>address</c>, decoded as <see cref="Ethereum.Address"/>.</summary>
public sealed class AbiAddress : AbiWordType
{
    /// <summary>The shared instance.</summary>
    public static readonly AbiAddress Instance = new();

    private AbiAddress()
    {
    }

    /// <inheritdoc />
    public override string Name => "address";

    internal override void Write(object? value, Span<byte> destination)
    {
        var address = value switch
        {
            Address a => a,
            string s => Address.Parse(s),
            _ => throw AbiValues.Mismatch(value, this, "an Address"),
        };
        destination.Clear();
        address.Bytes.CopyTo(destination[12..]);
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var word = Word(data, start, context);
        if (word[..12].ContainsAnyExcept((byte)0)) throw new AbiException($"address at offset {start} has dirty high bytes");
        return new Address(word[12..]);
    }
}

/// <summary><c>bool</c>: exactly 0 or 1.</summary>
public sealed class AbiBool : AbiWordType
{
    /// <summary>The shared instance.</summary>
    public static readonly AbiBool Instance = new();

    private AbiBool()
    {
    }

    /// <inheritdoc />
    public override string Name => "bool";

    internal override void Write(object? value, Span<byte> destination)
    {
        destination.Clear();
        destination[^1] = value is bool b ? (b ? (byte)1 : (byte)0) : throw AbiValues.Mismatch(value, this, "a bool");
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var word = Word(data, start, context);
        if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1) throw new AbiException($"bool at offset {start} is neither 0 nor 1");
        return word[31] == 1;
    }
}

/// <summary><c>bytesN</c> (1 ≤ N ≤ 32), left-aligned and zero-padded; decoded as a byte array of length N.</summary>
public sealed class AbiFixedBytes : AbiWordType
{
    /// <summary>Creates <c>bytes{length}</c>.</summary>
    public AbiFixedBytes(int length)
    {
        if (length is < 1 or > 32) throw new AbiException($"bytes{length} is not an ABI type");
        Length = length;
    }

    /// <summary>N.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string Name => $"bytes{Length}";

    internal override void Write(object? value, Span<byte> destination)
    {
        var bytes = AbiValues.Bytes(value, this);
        if (bytes.Length != Length) throw new AbiException($"{Name} takes exactly {Length} bytes, not {bytes.Length}");
        destination.Clear();
        bytes.CopyTo(destination);
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var word = Word(data, start, context);
        if (word[Length..].ContainsAnyExcept((byte)0)) throw new AbiException($"{Name} at offset {start} has dirty padding");
        return word[..Length].ToArray();
    }
}

/// <summary><c>bytes</c> and <c>string</c>: a length word, then the content padded to whole words.</summary>
public abstract class AbiDynamicBytesBase : AbiType
{
    /// <inheritdoc />
    public sealed override bool IsDynamic => true;

    internal sealed override int StaticSize => throw new InvalidOperationException($"{Name} is dynamic");

    private protected abstract byte[] Content(object? value);

    private protected abstract object FromContent(ReadOnlySpan<byte> content, int start);

    internal sealed override int EncodedSize(object? value) => WordSize + Padded(Content(value).Length);

    internal sealed override void Write(object? value, Span<byte> destination)
    {
        var content = Content(value);
        destination.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..WordSize], (ulong)content.Length);
        content.CopyTo(destination[WordSize..]);
    }

    internal sealed override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var length = ReadSize(data, start, context, "length");
        var contentStart = start + WordSize;
        if (length > data.Length - contentStart) throw new AbiException($"{Name} of {length} bytes at offset {start} runs past the data");
        var end = contentStart + Padded(length);
        if (end > data.Length) throw new AbiException($"{Name} at offset {start} lacks its padding");
        if (data[(contentStart + length)..end].ContainsAnyExcept((byte)0)) throw new AbiException($"{Name} at offset {start} has dirty padding");
        context.Reached(end);
        context.Spend(1);
        return FromContent(data.Slice(contentStart, length), start);
    }

    private static int Padded(int length) => (length + WordSize - 1) / WordSize * WordSize;
}

/// <summary><c>bytes</c>, decoded as a byte array.</summary>
public sealed class AbiBytes : AbiDynamicBytesBase
{
    /// <summary>The shared instance.</summary>
    public static readonly AbiBytes Instance = new();

    private AbiBytes()
    {
    }

    /// <inheritdoc />
    public override string Name => "bytes";

    private protected override byte[] Content(object? value) => AbiValues.Bytes(value, this);

    private protected override object FromContent(ReadOnlySpan<byte> content, int start) => content.ToArray();
}

/// <summary><c>string</c>: UTF-8; invalid UTF-8 in decoded data is an error.</summary>
public sealed class AbiString : AbiDynamicBytesBase
{
    /// <summary>The shared instance.</summary>
    public static readonly AbiString Instance = new();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private AbiString()
    {
    }

    /// <inheritdoc />
    public override string Name => "string";

    private protected override byte[] Content(object? value) =>
        value is string s ? StrictUtf8.GetBytes(s) : throw AbiValues.Mismatch(value, this, "a string");

    private protected override object FromContent(ReadOnlySpan<byte> content, int start)
    {
        try
        {
            return StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new AbiException($"string at offset {start} is not valid UTF-8");
        }
    }
}
