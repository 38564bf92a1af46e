using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

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
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new DevServiceException($"{stateFile} is not an anvil state file ({ex.Message}): restore it from a backup, or move it aside to start a new chain", ex);
        }
    }

    private static int RemoveLaterGenesesOrThrow(string stateFile)
    {
        JsonNode? state;
        using (var input = File.OpenRead(stateFile))
        {
            state = JsonNode.Parse(input);
        }

        if (state?["blocks"] is not JsonArray blocks) return 0;
        var geneses = blocks.Where(block => Header(block, "number") == 0).ToList();
        if (geneses.Count < 2) return 0;
        var earliest = geneses.MinBy(block => Header(block, "timestamp"));
        foreach (var later in geneses.Where(block => !ReferenceEquals(block, earliest))) blocks.Remove(later);

        var temporary = $"{stateFile}.{Environment.ProcessId}.tmp";
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(output))
            {
                state.WriteTo(writer);
            }

            output.Flush(flushToDisk: true);
        }

        File.Move(temporary, stateFile, overwrite: true);
        return geneses.Count - 1;
    }

    private static ulong Header(JsonNode? block, string field) =>
        block?["header"]?[field]?.GetValue<string>() is { } hex && hex.StartsWith("0x", StringComparison.Ordinal)
        && ulong.TryParse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"an anvil state block without a hexadecimal header.{field}");
}
