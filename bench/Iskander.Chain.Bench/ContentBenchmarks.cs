using BenchmarkDotNet.Attributes;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;

namespace Iskander.Chain.Bench;

/// <summary>
/// Content-addressing rows of the comparison with the JavaScript IPFS stack: CID computation
/// (UnixFS import with Kubo's CIDv1 parameters, blocks discarded) and the embedded store's
/// put/get of 1 KiB records. Inputs match <c>bench/unixfs-bench.mjs</c>.
/// </summary>
public class ContentBenchmarks
{
    public const int OneMiB = 1 << 20;
    public const int HundredMiB = 100 << 20;

    /// <summary>Bytes processed per call of the throughput rows, so the table can report MiB/s.</summary>
    public static readonly IReadOnlyDictionary<string, long> BytesPerOperation = new Dictionary<string, long>
    {
        ["CID of 1 MiB (UnixFS, CIDv1)"] = OneMiB,
        ["CID of 100 MiB (UnixFS, CIDv1)"] = HundredMiB,
    };

    private readonly byte[] _oneMiB = Fill(OneMiB);
    private readonly byte[] _hundredMiB = Fill(HundredMiB);
    private readonly byte[] _record = Fill(1024);
    private string _directory = string.Empty;
    private EmbeddedContentStore _store = null!;
    private Cid _stored = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"iskander-bench-{Guid.NewGuid():N}");
        _store = new EmbeddedContentStore(_directory);
        _stored = _store.PutAsync(_record).GetAwaiter().GetResult().Root;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Description = "CID of 1 MiB (UnixFS, CIDv1)")]
    public Task<ImportedFile> Cid1MiB() => UnixFsImporter.ImportAsync(_oneMiB, DiscardingBlockSink.Instance);

    [Benchmark(Description = "CID of 100 MiB (UnixFS, CIDv1)")]
    public Task<ImportedFile> Cid100MiB() => UnixFsImporter.ImportAsync(_hundredMiB, DiscardingBlockSink.Instance);

    [Benchmark(Description = "embedded store put 1 KiB record")]
    public Task<ImportedFile> Put()
    {
        // A new record each time: puts of existing blocks are cheaper and would flatter the figure.
        BitConverter.TryWriteBytes(_record, Interlocked.Increment(ref _counter));
        return _store.PutAsync(_record);
    }

    [Benchmark(Description = "embedded store get 1 KiB record (verified)")]
    public Task<byte[]> Get() => _store.GetAsync(_stored);

    private static byte[] Fill(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 31 + 7);
        return bytes;
    }
}
