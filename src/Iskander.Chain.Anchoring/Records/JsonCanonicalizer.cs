using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iskander.Chain.Anchoring.Records;

/// <summary>
/// The JSON Canonicalization Scheme (RFC 8785): no whitespace, object members sorted by their
/// names' UTF-16 code units, strings escaped as ECMAScript's <c>JSON.stringify</c> does, numbers as
/// IEEE-754 doubles printed by ECMAScript's <c>Number.prototype.toString</c> (shortest round-trip
/// digits, exponent form outside [1e-7, 1e21)). The same data always gives the same bytes, which
/// is what a content address and a hash chain need.
/// </summary>
public static class JsonCanonicalizer
{
    /// <summary>Largest integer a double holds exactly; integers beyond it would silently change.</summary>
    private const double MaxSafeInteger = 9007199254740991;

    /// <summary>The canonical UTF-8 bytes of <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">Not JSON, or not I-JSON (unsafe integers, lone surrogates, duplicate names).</exception>
    public static byte[] Canonicalize(string json) =>
        Canonicalize(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }));

    /// <summary>The canonical UTF-8 bytes of a JSON tree.</summary>
    /// <exception cref="JsonException">A number that is not finite or not exactly representable, or a string that is not valid Unicode.</exception>
    public static byte[] Canonicalize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(node, builder);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(builder.ToString());
    }

    /// <summary>ECMAScript's <c>Number.prototype.toString</c> for a finite double, as JCS prints numbers.</summary>
    /// <exception cref="JsonException">NaN or an infinity (not representable in JSON).</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new JsonException("NaN and infinities have no JSON form");
        if (value == 0) return "0"; // also −0
        var negative = value < 0;
        // .NET's "R" gives the shortest round-trip digits; re-layout them with ECMAScript's rules.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = Decompose(shortest);
        var k = digits.Length;
        var n = exponent; // value = 0.d1…dk × 10^n
        string result;
        if (k <= n && n <= 21)
        {
            result = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            result = "0." + new string('0', -n) + digits;
        }
        else
        {
            var e = n - 1;
            var mantissa = k == 1 ? digits : digits[..1] + "." + digits[1..];
            result = mantissa + "e" + (e >= 0 ? "+" : "-") + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        }

        return negative ? "-" + result : result;
    }

    // "1.2345E-07" or "123.45" or "1E+21" → significant digits without leading/trailing zeros, and n.
    private static (string Digits, int Exponent) Decompose(string text)
    {
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = point >= 0 ? text[..point] : text;
        var fraction = point >= 0 ? text[(point + 1)..] : string.Empty;
        var all = integerPart + fraction;
        var position = integerPart.Length + exponent; // decimal point position within `all`
        var leading = all.Length - all.TrimStart('0').Length;
        all = all.TrimStart('0');
        position -= leading;
        all = all.TrimEnd('0');
        return (all, position);
    }

    private static void Write(JsonNode? node, StringBuilder output)
    {
        switch (node)
        {
            case null:
                output.Append("null");
                break;
            case JsonObject obj:
                output.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) output.Append(',');
                    first = false;
                    WriteString(name, output);
                    output.Append(':');
                    Write(value, output);
                }

                output.Append('}');
                break;
            case JsonArray array:
                output.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) output.Append(',');
                    Write(array[i], output);
                }

                output.Append(']');
                break;
            case JsonValue value:
                WriteValue(value, output);
                break;
        }
    }

    private static void WriteValue(JsonValue value, StringBuilder output)
    {
        var element = value.GetValueKind();
        switch (element)
        {
            case JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetValue<string>();
                }
                catch (InvalidOperationException ex)
                {
                    throw new JsonException("string is not valid Unicode", ex);
                }

                WriteString(text, output);
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            case JsonValueKind.Null:
                output.Append("null");
                break;
            case JsonValueKind.Number:
                output.Append(FormatNumber(ToDouble(value)));
                break;
            default:
                throw new JsonException($"unexpected JSON value kind {element}");
        }
    }

    // A JsonValue built in code holds its CLR type; one parsed from text holds a JsonElement.
    private static double ToDouble(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var json))
        {
            var raw = json.GetRawText();
            var isInteger = !raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E');
            if (isInteger && !(long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && Math.Abs((double)parsed) <= MaxSafeInteger))
            {
                throw new JsonException($"integer {raw} is outside the range a JSON number holds exactly (±2^53 − 1)");
            }

            return json.GetDouble();
        }

        if (value.TryGetValue<long>(out var int64)) return Safe(int64);
        if (value.TryGetValue<int>(out var int32)) return int32;
        if (value.TryGetValue<short>(out var int16)) return int16;
        if (value.TryGetValue<byte>(out var int8)) return int8;
        if (value.TryGetValue<uint>(out var uint32)) return uint32;
        if (value.TryGetValue<ulong>(out var uint64)) return uint64 <= MaxSafeInteger ? uint64 : throw new JsonException($"integer {uint64} is outside the range a JSON number holds exactly (±2^53 − 1)");
        if (value.TryGetValue<double>(out var float64)) return float64;
        if (value.TryGetValue<float>(out var float32)) return float32;
        if (value.TryGetValue<decimal>(out var dec)) return (double)dec;
        throw new JsonException("number is not representable as a double");
    }

    private static double Safe(long value) =>
        Math.Abs((double)value) <= MaxSafeInteger ? value : throw new JsonException($"integer {value} is outside the range a JSON number holds exactly (±2^53 − 1)");

    private static void WriteString(string text, StringBuilder output)
    {
        output.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\b':
                    output.Append("\\b");
                    break;
                case '\f':
                    output.Append("\\f");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c))
                    {
                        if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) throw new JsonException("string holds a lone surrogate: not valid Unicode");
                        output.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}
