using System.Text.Json;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>A decoded revert: the error that matched and its arguments, or only the raw data when none did.</summary>
/// <param name="Error">The matching error, or null when the data matched none.</param>
/// <param name="Arguments">Decoded arguments (empty when <paramref name="Error"/> is null).</param>
/// <param name="Data">The raw revert data.</param>
public sealed record DecodedRevert(AbiError? Error, IReadOnlyList<object?> Arguments, byte[] Data)
{
    /// <inheritdoc />
    public override string ToString() => Error is null
        ? $"revert with unrecognised data {Hex.Encode(Data)}"
        : $"{Error.Name}({string.Join(", ", Arguments.Select(Format))})";

    private static string Format(object? value) => value switch
    {
        byte[] bytes => Hex.Encode(bytes),
        string s => $"\"{s}\"",
        object?[] items => $"[{string.Join(", ", items.Select(Format))}]",
        _ => value?.ToString() ?? "null",
    };
}

/// <summary>A contract's JSON ABI (as solc and forge write it): its functions, events, errors and constructor.</summary>
public sealed class ContractAbi
{
    private ContractAbi(IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events, IReadOnlyList<AbiError> errors, AbiFunction constructor)
    {
        Functions = functions;
        Events = events;
        Errors = errors;
        Constructor = constructor;
    }

    /// <summary>All functions (overloads included).</summary>
    public IReadOnlyList<AbiFunction> Functions { get; }

    /// <summary>All events.</summary>
    public IReadOnlyList<AbiEvent> Events { get; }

    /// <summary>All custom errors.</summary>
    public IReadOnlyList<AbiError> Errors { get; }

    /// <summary>The constructor (no inputs when the ABI declares none).</summary>
    public AbiFunction Constructor { get; }

    /// <summary>Parses a JSON ABI array.</summary>
    /// <exception cref="AbiException">The JSON is not an ABI or declares an unknown type.</exception>
    public static ContractAbi Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Parse(document.RootElement);
    }

    /// <summary>Parses a JSON ABI array element.</summary>
    public static ContractAbi Parse(JsonElement abi)
    {
        if (abi.ValueKind != JsonValueKind.Array) throw new AbiException("a JSON ABI is an array");
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        var constructor = new AbiFunction("constructor", [], []);
        foreach (var entry in abi.EnumerateArray())
        {
            var kind = entry.TryGetProperty("type", out var t) ? t.GetString() : "function";
            var name = entry.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
            switch (kind)
            {
                case "function":
                    functions.Add(new AbiFunction(name, Parameters(entry, "inputs"), Parameters(entry, "outputs"),
                        entry.TryGetProperty("stateMutability", out var m) ? m.GetString() ?? "nonpayable" : "nonpayable"));
                    break;
                case "event":
                    events.Add(new AbiEvent(name, Parameters(entry, "inputs"), entry.TryGetProperty("anonymous", out var a) && a.GetBoolean()));
                    break;
                case "error":
                    errors.Add(new AbiError(name, Parameters(entry, "inputs")));
                    break;
                case "constructor":
                    constructor = new AbiFunction("constructor", Parameters(entry, "inputs"), [],
                        entry.TryGetProperty("stateMutability", out var cm) ? cm.GetString() ?? "nonpayable" : "nonpayable");
                    break;
                case "fallback" or "receive":
                    break;
                default:
                    throw new AbiException($"unknown ABI entry type '{kind}'");
            }
        }

        return new ContractAbi(functions, events, errors, constructor);
    }

    /// <summary>The function called <paramref name="name"/>; with overloads, give the full signature instead.</summary>
    /// <exception cref="KeyNotFoundException">No such function, or the name is ambiguous.</exception>
    public AbiFunction Function(string name) => Single(Functions, name, "function");

    /// <summary>The event called <paramref name="name"/> (or with that signature).</summary>
    public AbiEvent Event(string name) => Single(Events, name, "event");

    /// <summary>The custom error called <paramref name="name"/> (or with that signature).</summary>
    public AbiError Error(string name) => Single(Errors, name, "error");

    /// <summary>Decodes a log with whichever of this ABI's events matches its topics; null when none does.</summary>
    public DecodedEvent? DecodeLog(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data)
    {
        foreach (var candidate in Events)
        {
            if (candidate.Matches(topics)) return candidate.Decode(topics, data);
        }

        return null;
    }

    /// <summary>Decodes revert data as <c>Error(string)</c>, <c>Panic(uint256)</c> or one of this ABI's custom errors.</summary>
    public DecodedRevert DecodeRevert(ReadOnlySpan<byte> data) => DecodeRevert(data, Errors);

    /// <summary>Decodes revert data against the built-in errors and <paramref name="customErrors"/>.</summary>
    public static DecodedRevert DecodeRevert(ReadOnlySpan<byte> data, IEnumerable<AbiError> customErrors)
    {
        if (data.Length >= 4)
        {
            foreach (var error in customErrors.Prepend(AbiError.Panic).Prepend(AbiError.StandardError))
            {
                if (!data[..4].SequenceEqual(error.Selector)) continue;
                try
                {
                    return new DecodedRevert(error, error.Decode(data), data.ToArray());
                }
                catch (AbiException)
                {
                    break; // the selector matched but the arguments are malformed: report the raw data
                }
            }
        }

        return new DecodedRevert(null, [], data.ToArray());
    }

    private static T Single<T>(IReadOnlyList<T> members, string name, string kind)
        where T : AbiMember
    {
        var matches = members.Where(m => m.Name == name || m.Signature == name).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"the ABI has no {kind} '{name}'"),
            _ => throw new KeyNotFoundException($"{kind} '{name}' is overloaded; use one of: {string.Join(", ", matches.Select(m => m.Signature))}"),
        };
    }

    private static List<AbiParameter> Parameters(JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var list)) return [];
        return list.EnumerateArray().Select(p => new AbiParameter(
            p.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty,
            ParameterType(p),
            p.TryGetProperty("indexed", out var i) && i.GetBoolean())).ToList();
    }

    private static AbiType ParameterType(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString() ?? throw new AbiException("ABI parameter without a type");
        if (!type.StartsWith("tuple", StringComparison.Ordinal)) return AbiType.Parse(type);

        // "tuple", "tuple[]", "tuple[2][]": the components give the tuple, the suffix the arrays.
        AbiType result = new AbiTuple(parameter.GetProperty("components").EnumerateArray().Select(ParameterType).ToList());
        return AbiType.Parse(result.Name + type["tuple".Length..]);
    }
}
