using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Chain;

namespace Iskander.Chain.Watchtower;

/// <summary>
/// A watchtower's progress in one small JSON file: the recent blocks its chain follower processed
/// (to resume and to notice reorgs) and the alarmed actions whose veto it is still pursuing.
/// Changes are held in memory until <see cref="SaveAsync"/>, which replaces the file atomically
/// (write a temporary file, then rename), after the actions of those blocks were reported: a crash
/// in between only means those blocks are read again, never that one is skipped.
/// </summary>
public sealed class WatchState : IChainCursorStore
{
    private readonly string _path;
    private SortedDictionary<ulong, BlockRef> _blocks = new();

    private WatchState(string path) => _path = path;

    /// <summary>Alarmed actions whose veto this watchtower still pursues (signature pooled, quorum not yet reached).</summary>
    public SortedSet<string> OpenVetoes { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Reads the state file at <paramref name="path"/>, or starts empty when there is none.</summary>
    /// <exception cref="FormatException">The file is not a watchtower state file.</exception>
    public static WatchState Load(string path)
    {
        var state = new WatchState(path);
        state.Reload();
        return state;
    }

    /// <summary>Drops unsaved changes and reads the file again (after a failed round).</summary>
    public void Reload()
    {
        _blocks = new SortedDictionary<ulong, BlockRef>();
        OpenVetoes = new SortedSet<string>(StringComparer.Ordinal);
        if (!File.Exists(_path)) return;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(_path)) as JsonObject ?? throw new FormatException("not a JSON object");
            foreach (var block in root["blocks"]?.AsArray() ?? [])
            {
                var number = block!["number"]!.GetValue<ulong>();
                _blocks[number] = new BlockRef(number, Hash32.Parse(block["hash"]!.GetValue<string>()), Hash32.Parse(block["parentHash"]!.GetValue<string>()));
            }

            foreach (var action in root["openVetoes"]?.AsArray() ?? []) OpenVetoes.Add(Hash32.Parse(action!.GetValue<string>()).ToString());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"{_path} is not a watchtower state file ({ex.Message}): move it away to start over from the deployment block", ex);
        }
    }

    /// <summary>The highest processed block, or null before the first.</summary>
    public ulong? ProcessedUpTo => _blocks.Count == 0 ? null : _blocks.Keys.Max();

    /// <inheritdoc />
    public Task<IReadOnlyList<BlockRef>> LoadRecentAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<BlockRef>>(_blocks.Values.Reverse().Take(limit).ToList());

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<BlockRef> blocks, ulong keepFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        foreach (var block in blocks) _blocks[block.Number] = block;
        foreach (var old in _blocks.Keys.Where(n => n < keepFrom).ToList()) _blocks.Remove(old);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RewindAsync(ulong forkPoint, CancellationToken cancellationToken)
    {
        foreach (var above in _blocks.Keys.Where(n => n > forkPoint).ToList()) _blocks.Remove(above);
        return Task.CompletedTask;
    }

    /// <summary>Writes the state: a temporary file beside the target, flushed to disk, then renamed over it.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        var json = new JsonObject
        {
            ["format"] = "iskander.watchtower-state/1",
            ["blocks"] = new JsonArray(_blocks.Values.Select(b => (JsonNode)new JsonObject { ["number"] = b.Number, ["hash"] = b.Hash.ToString(), ["parentHash"] = b.ParentHash.ToString() }).ToArray()),
            ["openVetoes"] = new JsonArray(OpenVetoes.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        var temporary = _path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }
}
