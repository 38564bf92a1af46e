using System.Text;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>A named parameter of a function, event or error.</summary>
/// <param name="Name">Parameter name (may be empty).</param>
/// <param name="Type">Its ABI type.</param>
/// <param name="Indexed">For event parameters: whether it is a topic.</param>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false);

/// <summary>What functions, events and errors share: a name, parameters and a canonical signature.</summary>
public abstract class AbiMember
{
    private protected AbiMember(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        InputTypes = inputs.Select(p => p.Type).ToList();
        Signature = $"{name}({string.Join(',', InputTypes.Select(t => t.Name))})";
        SignatureHash = Hash32.Keccak(Encoding.ASCII.GetBytes(Signature));
    }

    /// <summary>Name.</summary>
    public string Name { get; }

    /// <summary>Parameters.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>Parameter types.</summary>
    public IReadOnlyList<AbiType> InputTypes { get; }

    /// <summary>Canonical signature, e.g. <c>transfer(address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>keccak256 of the signature (an event's topic 0; its first 4 bytes are a function's or error's selector).</summary>
    public Hash32 SignatureHash { get; }

    /// <inheritdoc />
    public override string ToString() => Signature;
}

/// <summary>A contract function: selector, argument encoding, return decoding.</summary>
public sealed class AbiFunction : AbiMember
{
    /// <summary>Creates a function description.</summary>
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability = "nonpayable")
        : base(name, inputs)
    {
        Outputs = outputs;
        OutputTypes = outputs.Select(p => p.Type).ToList();
        StateMutability = stateMutability;
        Selector = SignatureHash.Bytes[..4].ToArray();
    }

    /// <summary>Return values.</summary>
    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary>Return types.</summary>
    public IReadOnlyList<AbiType> OutputTypes { get; }

    /// <summary><c>pure</c>, <c>view</c>, <c>nonpayable</c> or <c>payable</c>.</summary>
    public string StateMutability { get; }

    /// <summary>Whether calling it cannot change state.</summary>
    public bool IsReadOnly => StateMutability is "view" or "pure";

    /// <summary>The 4-byte selector.</summary>
    public byte[] Selector { get; }

    /// <summary>Call data: selector followed by the encoded arguments.</summary>
    public byte[] EncodeCall(params object?[] arguments) => AbiCodec.EncodeWithPrefix(Selector, InputTypes, arguments);

    /// <summary>Decodes call data made for this function (selector checked).</summary>
    public object?[] DecodeCall(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4 || !callData[..4].SequenceEqual(Selector)) throw new AbiException($"call data is not for {Signature}");
        return AbiCodec.Decode(InputTypes, callData[4..]);
    }

    /// <summary>Decodes return data.</summary>
    public object?[] DecodeOutput(ReadOnlySpan<byte> returnData) => AbiCodec.Decode(OutputTypes, returnData);
}

/// <summary>A custom error (or the built-in <c>Error(string)</c> / <c>Panic(uint256)</c>).</summary>
public sealed class AbiError : AbiMember
{
    /// <summary>Creates an error description.</summary>
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
        : base(name, inputs)
    {
        Selector = SignatureHash.Bytes[..4].ToArray();
    }

    /// <summary><c>Error(string)</c>, what <c>require(cond, "reason")</c> reverts with.</summary>
    public static AbiError StandardError { get; } = new("Error", [new AbiParameter("message", AbiString.Instance)]);

    /// <summary><c>Panic(uint256)</c>, what failed assertions and arithmetic overflows revert with.</summary>
    public static AbiError Panic { get; } = new("Panic", [new AbiParameter("code", new AbiUInt(256))]);

    /// <summary>The 4-byte selector.</summary>
    public byte[] Selector { get; }

    /// <summary>Encodes revert data for this error.</summary>
    public byte[] Encode(params object?[] arguments) => AbiCodec.EncodeWithPrefix(Selector, InputTypes, arguments);

    /// <summary>Decodes revert data for this error (selector checked).</summary>
    public object?[] Decode(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !revertData[..4].SequenceEqual(Selector)) throw new AbiException($"revert data is not {Signature}");
        return AbiCodec.Decode(InputTypes, revertData[4..]);
    }
}
