using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Car;
using Iskander.Chain.Content.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>Failure modes the emulator can play on a call.</summary>
public enum KuboFault
{
    /// <summary>HTTP 500 with Kubo's error object.</summary>
    ServerError,

    /// <summary>HTTP 503 with a plain-text body, as a proxy in front of a restarting node answers.</summary>
    Unavailable,

    /// <summary>HTTP 403 with Kubo's plain-text body (the API's origin check or an auth proxy).</summary>
    Forbidden,

    /// <summary>HTTP 200 with an HTML page instead of JSON.</summary>
    NotJson,

    /// <summary><c>add</c> stores with CIDv0 parameters whatever was asked (a misconfigured node).</summary>
    WrongCid,

    /// <summary><c>block/get</c> returns the block with one byte flipped (a lying node).</summary>
    TamperedBlock,

    /// <summary><c>add</c> streams a progress line, then Kubo's error object as the last NDJSON line.</summary>
    ErrorInStream,

    /// <summary>The node accepts the connection and never answers.</summary>
    Hang,

    /// <summary>HTTP 200 with a body of several megabytes.</summary>
    Oversized,
}

/// <summary>
/// An emulator of the Kubo RPC endpoints the content store uses, served over real HTTP on loopback,
/// because no Kubo binary can run here. It follows Kubo's documented behaviour: every call is a POST
/// (anything else gets 405), arguments in the query string, files as multipart bodies, NDJSON for
/// <c>add</c> and <c>dag/import</c>, errors as <c>{"Message","Code","Type":"error"}</c> (HTTP 500,
/// or 400 with Code 1 for bad arguments), the add defaults (CIDv0 and dag-pb leaves unless
/// <c>cid-version=1</c>, which turns raw leaves on). CIDs are computed with the import parameters
/// actually requested, so a client that sends the wrong ones gets a different CID, as from Kubo.
/// Faults can be injected per endpoint; every request is recorded.
/// </summary>
public sealed class KuboEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Queue<KuboFault>> _faults = new();

    private KuboEmulator(WebApplication app) => _app = app;

    /// <summary>The RPC base address, e.g. <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Blocks held by the node, by CID (v1 text); tests may alter them.</summary>
    public ConcurrentDictionary<string, byte[]> Blocks { get; } = new();

    /// <summary>Recursively pinned roots (v1 text).</summary>
    public ConcurrentDictionary<string, bool> Pins { get; } = new();

    /// <summary>Every request received, as <c>METHOD /path?query</c>.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Starts an emulator on a free loopback port.</summary>
    public static async Task<KuboEmulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(options => options.Limits.MaxRequestBodySize = 512L * 1024 * 1024);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(options => options.MultipartBodyLengthLimit = 512L * 1024 * 1024);
        var app = builder.Build();
        var emulator = new KuboEmulator(app);
        app.Run(emulator.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Endpoint = new Uri(address);
        return emulator;
    }

    /// <summary>Plays <paramref name="fault"/> on the next <paramref name="times"/> calls of <paramref name="endpoint"/> (e.g. <c>add</c>).</summary>
    public void Inject(string endpoint, KuboFault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(endpoint, _ => new Queue<KuboFault>());
        lock (queue)
        {
            for (var i = 0; i < times; i++) queue.Enqueue(fault);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        if (!request.Path.StartsWithSegments("/api/v0", out var rest))
        {
            await PlainAsync(context, 404, "404 page not found").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await PlainAsync(context, 405, "405 - Method Not Allowed").ConfigureAwait(false);
            return;
        }

        var endpoint = rest.Value!.Trim('/');
        var fault = NextFault(endpoint);
        if (fault is { } f && await PlayGenericFaultAsync(context, f).ConfigureAwait(false)) return;
        try
        {
            switch (endpoint)
            {
                case "version":
                    await JsonAsync(context, new { Version = "0.32.1", Commit = "", Repo = "16", System = "amd64/linux", Golang = "go1.23.4" }).ConfigureAwait(false);
                    break;
                case "add":
                    await AddAsync(context, fault).ConfigureAwait(false);
                    break;
                case "block/get":
                    await BlockGetAsync(context, fault).ConfigureAwait(false);
                    break;
                case "cat":
                    await CatAsync(context).ConfigureAwait(false);
                    break;
                case "pin/add":
                    await PinAddAsync(context).ConfigureAwait(false);
                    break;
                case "pin/rm":
                    await PinRemoveAsync(context).ConfigureAwait(false);
                    break;
                case "dag/import":
                    await DagImportAsync(context).ConfigureAwait(false);
                    break;
                default:
                    await PlainAsync(context, 404, "404 page not found").ConfigureAwait(false);
                    break;
            }
        }
        catch (ArgumentException ex)
        {
            await ErrorAsync(context, 400, ex.Message, code: 1).ConfigureAwait(false);
        }
    }

    private KuboFault? NextFault(string endpoint)
    {
        if (!_faults.TryGetValue(endpoint, out var queue)) return null;
        lock (queue) return queue.TryDequeue(out var fault) ? fault : null;
    }

    private static async Task<bool> PlayGenericFaultAsync(HttpContext context, KuboFault fault)
    {
        switch (fault)
        {
            case KuboFault.ServerError:
                await ErrorAsync(context, 500, "emulated failure: repo lock held by another process").ConfigureAwait(false);
                return true;
            case KuboFault.Unavailable:
                await PlainAsync(context, 503, "503 Service Unavailable").ConfigureAwait(false);
                return true;
            case KuboFault.Forbidden:
                await PlainAsync(context, 403, "403 - Forbidden").ConfigureAwait(false);
                return true;
            case KuboFault.NotJson:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>It works!</body></html>").ConfigureAwait(false);
                return true;
            case KuboFault.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                return true;
            case KuboFault.Oversized:
                context.Response.ContentType = "application/json";
                var filler = new byte[64 * 1024];
                filler.AsSpan().Fill((byte)' ');
                for (var i = 0; i < 64; i++) await context.Response.Body.WriteAsync(filler, context.RequestAborted).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private async Task AddAsync(HttpContext context, KuboFault? fault)
    {
        var query = context.Request.Query;
        var cidVersion = query.TryGetValue("cid-version", out var v) ? int.Parse(v!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var rawLeaves = query.TryGetValue("raw-leaves", out var r) ? bool.Parse(r!) : cidVersion > 0;
        var pin = !query.TryGetValue("pin", out var p) || bool.Parse(p!);
        var chunker = query.TryGetValue("chunker", out var c) ? c.ToString() : "size-262144";
        if (!chunker.StartsWith("size-", StringComparison.Ordinal)) throw new ArgumentException($"chunker '{chunker}' is not emulated");
        if (query.TryGetValue("hash", out var hash) && hash != "sha2-256") throw new ArgumentException($"hash '{hash}' is not emulated");
        if (fault == KuboFault.WrongCid) (cidVersion, rawLeaves) = (0, false);
        var options = new UnixFsImportOptions
        {
            CidVersion = cidVersion,
            RawLeaves = rawLeaves,
            ChunkSize = int.Parse(chunker["size-".Length..], System.Globalization.CultureInfo.InvariantCulture),
        };

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form.Files.Count == 0) throw new ArgumentException("file argument 'path' is required");
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Chunked-Output"] = "1";
        foreach (var file in form.Files)
        {
            await using var content = file.OpenReadStream();
            var imported = await UnixFsImporter.ImportAsync(content, new Sink(this), options, context.RequestAborted).ConfigureAwait(false);
            if (fault == KuboFault.ErrorInStream)
            {
                await LineAsync(context, new { Name = "", Bytes = imported.FileSize }).ConfigureAwait(false);
                await LineAsync(context, new { Message = "emulated failure: disk full", Code = 0, Type = "error" }).ConfigureAwait(false);
                return;
            }

            if (pin) Pins[imported.Root.ToV1().ToString()] = true;
            await LineAsync(context, new { Name = file.FileName, Hash = imported.Root.ToString(), Size = imported.DagSize.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ConfigureAwait(false);
        }
    }

    private async Task BlockGetAsync(HttpContext context, KuboFault? fault)
    {
        var cid = Argument(context);
        if (!Blocks.TryGetValue(cid.ToV1().ToString(), out var block))
        {
            await ErrorAsync(context, 500, $"block was not found locally (offline): ipld: could not find {cid}").ConfigureAwait(false);
            return;
        }

        if (fault == KuboFault.TamperedBlock)
        {
            block = (byte[])block.Clone();
            block[block.Length / 2] ^= 0x01;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.Body.WriteAsync(block, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task CatAsync(HttpContext context)
    {
        var cid = Argument(context);
        using var buffer = new MemoryStream();
        try
        {
            await UnixFsDag.CopyFileAsync(ReadAsync, cid, buffer, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ContentNotFoundException ex)
        {
            await ErrorAsync(context, 500, $"block was not found locally (offline): ipld: could not find {ex.Cid}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task PinAddAsync(HttpContext context)
    {
        var cid = Argument(context);
        if (!await UnixFsDag.IsCompleteAsync(ReadAsync, cid, context.RequestAborted).ConfigureAwait(false))
        {
            await ErrorAsync(context, 500, $"pin: block was not found locally (offline): ipld: could not find {cid}").ConfigureAwait(false);
            return;
        }

        Pins[cid.ToV1().ToString()] = true;
        await JsonAsync(context, new { Pins = new[] { cid.ToString() } }).ConfigureAwait(false);
    }

    private async Task PinRemoveAsync(HttpContext context)
    {
        var cid = Argument(context);
        if (!Pins.TryRemove(cid.ToV1().ToString(), out _))
        {
            await ErrorAsync(context, 500, "not pinned or pinned indirectly").ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, new { Pins = new[] { cid.ToString() } }).ConfigureAwait(false);
    }

    private async Task DagImportAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form.Files.Count == 0) throw new ArgumentException("file argument 'path' is required");
        using var buffer = new MemoryStream();
        await form.Files[0].CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        IReadOnlyList<Cid> roots;
        try
        {
            var car = CarReader.Read(buffer.ToArray());
            foreach (var (cid, block) in car.Blocks) Blocks[cid.ToV1().ToString()] = block;
            roots = car.Roots;
        }
        catch (CarFormatException ex)
        {
            await ErrorAsync(context, 500, $"import failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        foreach (var root in roots)
        {
            var complete = await UnixFsDag.IsCompleteAsync(ReadAsync, root, context.RequestAborted).ConfigureAwait(false);
            if (complete) Pins[root.ToV1().ToString()] = true;
            await LineAsync(context, new { Root = new { Cid = new Dictionary<string, string> { ["/"] = root.ToString() }, PinErrorMsg = complete ? "" : "blockstore: block not found" } }).ConfigureAwait(false);
        }
    }

    private ValueTask<byte[]?> ReadAsync(Cid cid, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Blocks.TryGetValue(cid.ToV1().ToString(), out var block) ? block : null);

    private static Cid Argument(HttpContext context)
    {
        var text = context.Request.Query["arg"].ToString();
        return Cid.TryParse(text, out var cid) ? cid! : throw new ArgumentException($"invalid path \"{text}\": invalid cid");
    }

    private static Task JsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value) + "\n", context.RequestAborted);
    }

    private static async Task LineAsync(HttpContext context, object value)
    {
        await context.Response.WriteAsync(JsonSerializer.Serialize(value) + "\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext context, int status, string message, int code = 0)
    {
        context.Response.StatusCode = status;
        return JsonAsync(context, new { Message = message, Code = code, Type = "error" });
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", Encoding.UTF8, context.RequestAborted);
    }

    private sealed class Sink(KuboEmulator emulator) : IBlockSink
    {
        public ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            emulator.Blocks[cid.ToV1().ToString()] = block.ToArray();
            return ValueTask.CompletedTask;
        }
    }
}
