using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Crypto;

namespace Iskander.Chain.Ethereum.Eip712;

/// <summary>One member of an EIP-712 struct type.</summary>
/// <param name="Name">Member name.</param>
/// <param name="Type">Member type: an atomic or dynamic Solidity type, a struct name, or an array of either.</param>
public sealed record TypedDataField(string Name, string Type);

/// <summary>
/// An EIP-712 typed-data document as <c>eth_signTypedData_v4</c> takes it: struct types, the
/// primary type, the domain and the message. Computes <c>encodeType</c>, type hashes,
/// <c>hashStruct</c>, the domain separator and the digest that is signed, with nested structs,
/// arrays (fixed and dynamic, nested), <c>bytes</c> and <c>string</c>; integers and bytes may be
/// given as JSON numbers or strings (decimal or hex).
/// </summary>
public sealed class TypedData
{
    private const string DomainType = "EIP712Domain";
    private static readonly string[] DomainFieldOrder = ["name", "version", "chainId", "verifyingContract", "salt"];
    private static readonly Dictionary<string, string> DomainFieldTypes = new()
    {
        ["name"] = "string", ["version"] = "string", ["chainId"] = "uint256", ["verifyingContract"] = "address", ["salt"] = "bytes32",
    };

    private readonly Dictionary<string, IReadOnlyList<TypedDataField>> _types;

    /// <summary>Creates a document.</summary>
    /// <param name="types">Struct types by name (EIP712Domain may be omitted: it is inferred from the domain's members).</param>
    /// <param name="primaryType">The message's type.</param>
    /// <param name="domain">The domain object.</param>
    /// <param name="message">The message object.</param>
    public TypedData(IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, string primaryType, JsonElement domain, JsonElement message)
    {
        _types = types.ToDictionary(t => t.Key, t => t.Value);
        if (!_types.ContainsKey(DomainType))
        {
            _types[DomainType] = DomainFieldOrder.Where(f => domain.TryGetProperty(f, out _)).Select(f => new TypedDataField(f, DomainFieldTypes[f])).ToList();
        }

        if (!_types.ContainsKey(primaryType)) throw new FormatException($"primary type '{primaryType}' is not among the types");
        PrimaryType = primaryType;
        Domain = domain.Clone();
        Message = message.Clone();
    }

    /// <summary>The message's type.</summary>
    public string PrimaryType { get; }

    /// <summary>The domain object.</summary>
    public JsonElement Domain { get; }

    /// <summary>The message object.</summary>
    public JsonElement Message { get; }

    /// <summary>Parses the JSON form <c>{types, primaryType, domain, message}</c>.</summary>
    public static TypedData Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var types = root.GetProperty("types").EnumerateObject().ToDictionary(
            t => t.Name,
            t => (IReadOnlyList<TypedDataField>)t.Value.EnumerateArray()
                .Select(f => new TypedDataField(f.GetProperty("name").GetString()!, f.GetProperty("type").GetString()!)).ToList());
        return new TypedData(types, root.GetProperty("primaryType").GetString()!, root.GetProperty("domain"), root.GetProperty("message"));
    }

    /// <summary><c>encodeType</c>: the type, then every struct type it references, sorted by name.</summary>
    public string EncodeType(string type)
    {
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        CollectReferences(type, referenced);
        referenced.Remove(type);
        var text = new StringBuilder();
        foreach (var name in referenced.Prepend(type))
        {
            text.Append(name).Append('(').AppendJoin(',', _types[name].Select(f => $"{f.Type} {f.Name}")).Append(')');
        }

        return text.ToString();
    }

    /// <summary>keccak256 of <see cref="EncodeType"/>.</summary>
    public Hash32 TypeHash(string type) => Hash32.Keccak(Encoding.UTF8.GetBytes(EncodeType(type)));

    /// <summary><c>hashStruct</c> of <paramref name="value"/> as <paramref name="type"/>.</summary>
    public Hash32 HashStruct(string type, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new FormatException($"a {type} value must be an object");
        var fields = _types[type];
        var encoded = new byte[32 * (fields.Count + 1)];
        TypeHash(type).Bytes.CopyTo(encoded);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!value.TryGetProperty(fields[i].Name, out var member)) throw new FormatException($"{type} value lacks member '{fields[i].Name}'");
            EncodeValue(fields[i].Type, member).CopyTo(encoded.AsSpan(32 * (i + 1)));
        }

        return Hash32.Keccak(encoded);
    }

    /// <summary>The domain separator: <c>hashStruct(EIP712Domain, domain)</c>.</summary>
    public Hash32 DomainSeparator => HashStruct(DomainType, Domain);

    /// <summary>The digest that is signed: keccak256(0x19 0x01 ‖ domain separator ‖ hashStruct(message)).</summary>
    public Hash32 Digest()
    {
        var data = new byte[66];
        data[0] = 0x19;
        data[1] = 0x01;
        DomainSeparator.Bytes.CopyTo(data.AsSpan(2));
        HashStruct(PrimaryType, Message).Bytes.CopyTo(data.AsSpan(34));
        return Hash32.Keccak(data);
    }

    /// <summary>Signs <see cref="Digest"/>.</summary>
    public EcdsaSignature Sign(PrivateKey key) => key.Sign(Digest().Bytes);

    /// <summary>The address that signed this document.</summary>
    public Address RecoverSigner(EcdsaSignature signature) => Secp256k1.RecoverAddress(Digest().Bytes, signature);

    private void CollectReferences(string type, SortedSet<string> found)
    {
        var baseType = BaseType(type);
        if (!_types.TryGetValue(baseType, out var fields) || !found.Add(baseType)) return;
        foreach (var field in fields) CollectReferences(field.Type, found);
    }

    private static string BaseType(string type)
    {
        var bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private byte[] EncodeValue(string type, JsonElement value)
    {
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var elementType = type[..open];
            var length = type[(open + 1)..^1];
            if (value.ValueKind != JsonValueKind.Array) throw new FormatException($"a {type} value must be an array");
            if (length.Length > 0 && value.GetArrayLength() != int.Parse(length, CultureInfo.InvariantCulture))
            {
                throw new FormatException($"{type} needs {length} elements, not {value.GetArrayLength()}");
            }

            var concatenated = value.EnumerateArray().SelectMany(e => EncodeValue(elementType, e)).ToArray();
            return Keccak256.Hash(concatenated);
        }

        if (_types.ContainsKey(type)) return HashStruct(type, value).ToArray();
        return type switch
        {
            "string" => Keccak256.Hash(Encoding.UTF8.GetBytes(value.GetString() ?? throw new FormatException("string expected"))),
            "bytes" => Keccak256.Hash(Bytes(value)),
            "bool" => AbiCodec.Encode([AbiBool.Instance], [value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FormatException("bool expected"),
            }]),
            "address" => AbiCodec.Encode([AbiAddress.Instance], [Address.Parse(value.GetString()!.ToLowerInvariant())]),
            _ when type.StartsWith("bytes", StringComparison.Ordinal) => AbiCodec.Encode([AbiType.Parse(type)], [Bytes(value)]),
            _ when type.StartsWith("uint", StringComparison.Ordinal) || type.StartsWith("int", StringComparison.Ordinal) =>
                AbiCodec.Encode([AbiType.Parse(type)], [Integer(value)]),
            _ => throw new FormatException($"unknown EIP-712 type '{type}'"),
        };
    }

    private static byte[] Bytes(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? Hex.Decode(value.GetString()!) : throw new FormatException("bytes must be a hex string");

    private static BigInteger Integer(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number) return BigInteger.Parse(value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var text = value.GetString() ?? throw new FormatException("integer expected");
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var magnitude = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -magnitude : magnitude;
    }
}
