using System.Diagnostics;
using System.Globalization;
using System.Text;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Setup;

namespace Iskander.Chain.Bench;

/// <summary>
/// Seconds to produce a prepared development powers-of-tau file, by power: our writer (public τ,
/// one fixed-base multiplication per point) next to snarkjs's deterministic route to a prepared
/// file (<c>powersoftau new</c>, <c>beacon</c>, <c>prepare phase2</c>), each run once in this process.
/// </summary>
internal static class PowersOfTauFigures
{
    /// <summary>Runs the table; arguments: "ours=10,12,15,16" and "snarkjs=10,12" (defaults those).</summary>
    public static async Task<string> RunAsync(ProjectLayout layout, string[] args)
    {
        var ours = Powers(args, "ours", [10, 12, 14, 15, 16]);
        var theirs = Powers(args, "snarkjs", [10, 12]);
        var runner = new ToolRunner(new Toolchain.Toolchain(layout));
        var directory = Directory.CreateTempSubdirectory("iskander-ptau-bench").FullName;
        var table = new StringBuilder()
            .AppendLine("| power | points | Iskander.Chain (s) | snarkjs new + beacon + prepare phase2 (s) | ratio |")
            .AppendLine("|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var power in ours.Union(theirs).Order())
            {
                double? mine = null, snarkjs = null;
                if (ours.Contains(power))
                {
                    var clock = Stopwatch.StartNew();
                    await using (var file = File.Create(Path.Combine(directory, $"ours_{power}.ptau")))
                    {
                        await DevelopmentPowersOfTau.WriteAsync(file, power);
                    }

                    mine = clock.Elapsed.TotalSeconds;
                }

                if (theirs.Contains(power))
                {
                    var clock = Stopwatch.StartNew();
                    string Step(int i) => Path.Combine(directory, $"snarkjs_{power}_{i}.ptau");
                    var options = new ToolRunOptions { Timeout = TimeSpan.FromHours(3) };
                    await runner.RunAsync(Tool.Snarkjs, ["powersoftau", "new", "bn128", power.ToString(CultureInfo.InvariantCulture), Step(0)], options);
                    await runner.RunAsync(Tool.Snarkjs, ["powersoftau", "beacon", Step(0), Step(1), "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "10", "-n=bench"], options);
                    await runner.RunAsync(Tool.Snarkjs, ["powersoftau", "prepare", "phase2", Step(1), Step(2)], options);
                    snarkjs = clock.Elapsed.TotalSeconds;
                }

                foreach (var file in Directory.GetFiles(directory)) File.Delete(file);
                var ratio = mine is { } a && snarkjs is { } b ? $"{b / a:0}×" : "—";
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {power} | {DevelopmentPowersOfTau.PointCount(power):N0} | {(mine is { } m ? m.ToString("0.0", CultureInfo.InvariantCulture) : "—")} | {(snarkjs is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "—")} | {ratio} |");
                Console.Error.WriteLine(table.ToString().Split('\n')[^2]);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return table.ToString();
    }

    private static int[] Powers(string[] args, string name, int[] defaults) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal)) is { } arg
            ? arg[(name.Length + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray()
            : defaults;
}
