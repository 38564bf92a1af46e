using System.CommandLine;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Kubo;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain content put|get|export|import</c>: the bridge's content store from the command
/// line — the embedded store under the data folder, or a Kubo node when <c>ISKANDER_KUBO_URL</c> is set.
/// </summary>
internal static class ContentCommand
{
    public const string KuboUrlVariable = "ISKANDER_KUBO_URL";

    public static Command Create()
    {
        var command = new Command("content", $"Put, read, export and import content-addressed files (embedded store, or Kubo when ${KuboUrlVariable} is set).");
        command.Subcommands.Add(Put());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    /// <summary>The configured content store: Kubo when its RPC URL is set, the embedded store otherwise.</summary>
    public static IContentStore OpenStore(string dataDirectory) =>
        Environment.GetEnvironmentVariable(KuboUrlVariable) is { Length: > 0 } kubo
            ? new KuboContentStore(new KuboRpcClient(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, new Uri(kubo)))
            : new EmbeddedContentStore(Path.Combine(dataDirectory, "content"));

    private static Command Put()
    {
        var file = new Argument<FileInfo>("file") { Description = "File to store (- for standard input)." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("put", "Store a file (UnixFS, Kubo's CIDv1 parameters), pin it and print its CID.") { file, dataDirectory };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var store = OpenStore(DataDirectoryOf(parseResult, dataDirectory));
            var path = parseResult.GetValue(file)!;
            await using var input = path.Name == "-" ? Console.OpenStandardInput() : path.OpenRead();
            var imported = await store.PutAsync(input, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(imported.Root);
            return 0;
        });
        return command;
    }

    private static Command Get()
    {
        var cid = new Argument<string>("cid") { Description = "CID of the file." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write here instead of standard output." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("get", "Write a stored file, every block verified against its CID.") { cid, output, dataDirectory };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!TryParse(parseResult.GetValue(cid)!, out var root)) return 2;
            var store = OpenStore(DataDirectoryOf(parseResult, dataDirectory));
            await using var destination = parseResult.GetValue(output) is { } target ? target.Create() : Console.OpenStandardOutput();
            return await ReportContentErrorsAsync(() => store.CopyToAsync(root, destination, cancellationToken)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Export()
    {
        var cid = new Argument<string>("cid") { Description = "Root CID." };
        var car = new Argument<FileInfo>("car") { Description = "CAR file to write." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("export", "Write a file's whole DAG as a CAR v1 (for another IPFS node or an evidence bundle).") { cid, car, dataDirectory };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!TryParse(parseResult.GetValue(cid)!, out var root)) return 2;
            var store = OpenStore(DataDirectoryOf(parseResult, dataDirectory));
            await using var destination = parseResult.GetValue(car)!.Create();
            return await ReportContentErrorsAsync(() => store.ExportCarAsync(root, destination, cancellationToken)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Import()
    {
        var car = new Argument<FileInfo>("car") { Description = "CAR file to read." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("import", "Import a CAR (every block verified), pin its roots and print them.") { car, dataDirectory };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var store = OpenStore(DataDirectoryOf(parseResult, dataDirectory));
            await using var source = parseResult.GetValue(car)!.OpenRead();
            IReadOnlyList<Cid> roots = [];
            var exit = await ReportContentErrorsAsync(async () => roots = await store.ImportCarAsync(source, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var root in roots) Console.WriteLine(root);
            return exit;
        });
        return command;
    }

    private static string DataDirectoryOf(ParseResult parseResult, Option<DirectoryInfo?> option) =>
        CommonOptions.ResolveDataDirectory(parseResult.GetValue(option), ProjectLayout.Discover());

    private static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Cid? cid)
    {
        if (Cid.TryParse(text, out cid)) return true;
        Console.Error.WriteLine($"'{text}' is not a valid CID");
        return false;
    }

    private static async Task<int> ReportContentErrorsAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is ContentNotFoundException or ContentIntegrityException or Content.Car.CarFormatException or KuboRpcException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
