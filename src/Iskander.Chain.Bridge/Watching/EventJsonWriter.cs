using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Bridge.Watching;

/// <summary>
/// Writes a mirrored event's arguments as the JSON object stored in <c>chain_events.args</c>: by
/// parameter name, integers as decimal strings (uint256 does not fit a JSON number), addresses,
/// hashes and bytes as lower-case 0x hex, tuples and arrays as arrays. A log no event decodes is
/// stored as its raw <c>topics</c> and <c>data</c>. One writer reuses its buffer across events.
/// </summary>
internal sealed class EventJsonWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;

    public EventJsonWriter() => _json = new Utf8JsonWriter(_buffer);

    public string Write(ChainEvent chainEvent)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        if (chainEvent.Decoded is { } decoded)
        {
            for (var i = 0; i < decoded.Event.Inputs.Count; i++)
            {
                // Unnamed parameters (allowed by the ABI) are named by position.
                var name = decoded.Event.Inputs[i].Name;
                _json.WritePropertyName(name.Length > 0 ? name : i.ToString(CultureInfo.InvariantCulture));
                WriteValue(decoded.Arguments[i]);
            }
        }
        else
        {
            _json.WritePropertyName("topics");
            WriteValue(chainEvent.Log.Topics);
            _json.WriteString("data", Hex.Encode(chainEvent.Log.Data));
        }

        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private void WriteValue(object? value)
    {
        switch (value)
        {
            case null:
                _json.WriteNullValue();
                break;
            case BigInteger integer:
                _json.WriteStringValue(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case bool flag:
                _json.WriteBooleanValue(flag);
                break;
            case string text:
                _json.WriteStringValue(text);
                break;
            case Address address:
                _json.WriteStringValue(Hex.Encode(address.Bytes));
                break;
            case Hash32 hash:
                _json.WriteStringValue(Hex.Encode(hash.Bytes));
                break;
            case byte[] bytes:
                _json.WriteStringValue(Hex.Encode(bytes));
                break;
            case IEnumerable items:
                _json.WriteStartArray();
                foreach (var item in items) WriteValue(item);
                _json.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"no JSON form for a decoded {value.GetType().Name}");
        }
    }
}
