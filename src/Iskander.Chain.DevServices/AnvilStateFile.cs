using System.Globalization;
using System.Text.Json;

namespace Iskander.Chain.DevServices;

/// <summary>
/// Repairs anvil's state file before anvil loads it. Anvil makes a genesis block of its own at
/// every start and keeps it beside the loaded chain's genesis, so each load-then-save adds one more
/// block numbered 0 (the same header, but the timestamp of that start). Which of them a later load
/// takes for block 0 is not fixed, and the node then reports a block 0 hash its deployment never
/// had: the chain looks replaced. The chain's own genesis is the earliest of them.
/// </summary>
internal static class AnvilStateFile
{
    /// <summary>Removes every block numbered 0 but the earliest from the state file; returns how many (the file is rewritten only then, atomically).</summary>
    /// <exception cref="DevServiceException">The file is not an anvil state (not JSON, or blocks without a header number or timestamp).</exception>
    public static int RemoveLaterGeneses(string stateFile)
    {
        try
        {
            return RemoveLaterGenesesOrThrow(stateFile);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new DevServiceException($"{stateFile} is not an anvil state file ({ex.Message}): restore it from a backup, or move it aside to start a new chain", ex);
        }
    }

    // The file is copied with the later geneses cut out of its "blocks" array, each block parsed on
    // its own: a long-lived chain's state runs to hundreds of megabytes, too big for a document model.
    private static int RemoveLaterGenesesOrThrow(string stateFile)
    {
        var bytes = File.ReadAllBytes(stateFile);
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBlocks = reader.ValueTextEquals("blocks"u8);
            reader.Read();
            if (!isBlocks || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            var arrayStart = (int)reader.TokenStartIndex;
            var blocks = new List<(Range Bytes, ulong Number, ulong Timestamp)>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var blockStart = (int)reader.TokenStartIndex;
                using var block = JsonDocument.ParseValue(ref reader);
                blocks.Add((blockStart..(int)reader.BytesConsumed, Header(block.RootElement, "number"), Header(block.RootElement, "timestamp")));
            }

            var geneses = blocks.Where(b => b.Number == 0).ToList();
            if (geneses.Count < 2) return 0;
            var earliest = geneses.MinBy(b => b.Timestamp);
            var kept = blocks.Where(b => b.Number != 0 || b.Bytes.Equals(earliest.Bytes)).ToList();
            Write(stateFile, bytes.AsMemory(..arrayStart), kept.Select(b => (ReadOnlyMemory<byte>)bytes.AsMemory(b.Bytes)), bytes.AsMemory((int)reader.BytesConsumed..));
            return blocks.Count - kept.Count;
        }

        return 0;
    }

    private static void Write(string stateFile, ReadOnlyMemory<byte> before, IEnumerable<ReadOnlyMemory<byte>> blocks, ReadOnlyMemory<byte> after) =>
        Replace(stateFile, output =>
        {
            output.Write(before.Span);
            output.WriteByte((byte)'[');
            var first = true;
            foreach (var block in blocks)
            {
                if (!first) output.WriteByte((byte)',');
                output.Write(block.Span);
                first = false;
            }

            output.WriteByte((byte)']');
            output.Write(after.Span);
        });

    /// <summary>Writes a state file whole: into a temporary file beside it, flushed to disk and renamed over it, so it is never half a chain.</summary>
    public static void Replace(string stateFile, Action<Stream> write)
    {
        var temporary = $"{stateFile}.{Environment.ProcessId}.tmp";
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(output);
            output.Flush(flushToDisk: true);
        }

        File.Move(temporary, stateFile, overwrite: true);
    }

    private static ulong Header(JsonElement block, string field) =>
        block.GetProperty("header").GetProperty(field).GetString() is { } hex && hex.StartsWith("0x", StringComparison.Ordinal)
        && ulong.TryParse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"an anvil state block without a hexadecimal header.{field}");
}
