using System.Numerics;
using System.Text.Json;

namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>Strict readers for JSON-RPC values; every failure names the method and field.</summary>
internal sealed class RpcJson(string method)
{
    public JsonElement Object(JsonElement element, string field = "result") =>
        element.ValueKind == JsonValueKind.Object ? element : throw Error(field, $"expected an object, got {element.ValueKind}");

    public JsonElement Property(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? value : throw Error(name, "missing");

    public bool IsNullOrMissing(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    public BigInteger Quantity(JsonElement element, string field)
    {
        try
        {
            return Hex.DecodeQuantity(String(element, field));
        }
        catch (FormatException ex)
        {
            throw Error(field, ex.Message);
        }
    }

    public ulong QuantityUInt64(JsonElement element, string field)
    {
        try
        {
            return Hex.DecodeQuantityUInt64(String(element, field));
        }
        catch (FormatException ex)
        {
            throw Error(field, ex.Message);
        }
    }

    public Hash32 Hash(JsonElement element, string field)
    {
        try
        {
            return Hash32.Parse(String(element, field));
        }
        catch (FormatException ex)
        {
            throw Error(field, ex.Message);
        }
    }

    public Address Address(JsonElement element, string field)
    {
        var text = String(element, field);
        // Nodes answer lower-case; only the length and digits matter here.
        try
        {
            return Ethereum.Address.Parse(text.ToLowerInvariant());
        }
        catch (FormatException ex)
        {
            throw Error(field, ex.Message);
        }
    }

    public byte[] Data(JsonElement element, string field)
    {
        try
        {
            var text = String(element, field);
            if (!text.StartsWith("0x", StringComparison.Ordinal)) throw new FormatException("data must start with 0x");
            return Hex.Decode(text);
        }
        catch (FormatException ex)
        {
            throw Error(field, ex.Message);
        }
    }

    public string String(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Error(field, $"expected a string, got {element.ValueKind}");

    public JsonElement.ArrayEnumerator Array(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : throw Error(field, $"expected an array, got {element.ValueKind}");

    public RpcProtocolException Error(string field, string problem) => new($"{method}: field '{field}': {problem}");

    public LogEntry Log(JsonElement element)
    {
        var log = Object(element, "log");
        return new LogEntry(
            Address(Property(log, "address"), "address"),
            Array(Property(log, "topics"), "topics").Select(t => Hash(t, "topics")).ToList(),
            Data(Property(log, "data"), "data"),
            QuantityUInt64(Property(log, "blockNumber"), "blockNumber"),
            Hash(Property(log, "blockHash"), "blockHash"),
            Hash(Property(log, "transactionHash"), "transactionHash"),
            QuantityUInt64(Property(log, "logIndex"), "logIndex"),
            log.TryGetProperty("removed", out var removed) && removed.ValueKind == JsonValueKind.True);
    }
}
