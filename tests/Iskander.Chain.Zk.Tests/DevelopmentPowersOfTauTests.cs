using System.Buffers.Binary;
using System.Text;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Setup;

namespace Iskander.Chain.Zk.Tests;

/// <summary>
/// The development powers-of-tau writer against snarkjs (its own <c>prepare phase2</c> of our
/// sections 1–7 must give exactly our sections 12–15) and against the chain's pairing precompile
/// (the powers really are powers of one τ, scaled by one α and one β).
/// </summary>
public sealed class DevelopmentPowersOfTauTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static async Task<byte[]> WriteAsync(int power)
    {
        using var stream = new MemoryStream();
        await DevelopmentPowersOfTau.WriteAsync(stream, power);
        return stream.ToArray();
    }

    private static Dictionary<int, byte[]> Sections(byte[] file)
    {
        using var stream = new MemoryStream(file);
        return BinFileSections.Read(stream, "ptau").ToDictionary(s => s.Id, s => file.AsSpan((int)s.Offset, (int)s.Length).ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Prepared_sections_equal_what_snarkjs_prepare_phase2_makes_of_the_raw_ones(int power)
    {
        var ours = Sections(await WriteAsync(power));
        using var directory = new TempDirectory();
        // The raw (phase 1) file: the same sections 1–7 alone, as `powersoftau new/contribute` leave them.
        using (var raw = File.Create(directory.Combine("raw.ptau")))
        {
            var header = new byte[12];
            "ptau"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 7);
            raw.Write(header);
            for (var id = 1; id <= 7; id++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)id);
                BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(4), (ulong)ours[id].Length);
                raw.Write(header);
                raw.Write(ours[id]);
            }
        }

        await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["powersoftau", "prepare", "phase2", directory.Combine("raw.ptau"), directory.Combine("prepared.ptau")]);
        var theirs = Sections(await File.ReadAllBytesAsync(directory.Combine("prepared.ptau")));

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15], theirs.Keys.Order());
        foreach (var (id, payload) in theirs) Assert.True(payload.AsSpan().SequenceEqual(ours[id]), $"section {id} differs from snarkjs's");
        Assert.Equal(DevelopmentPowersOfTau.Warning, Encoding.UTF8.GetString(ours[DevelopmentPowersOfTau.NoteSectionId]));
    }

    [Fact]
    public async Task Files_have_snarkjs_section_sizes_and_are_the_same_bytes_every_time()
    {
        var file = await WriteAsync(4);
        var sizes = Sections(file).ToDictionary(s => s.Key, s => s.Value.Length);
        // snarkjs 0.7.6's sizes at power 4 (header 44, tauG1 31 points, tauG2 16, …).
        Assert.Equal(44, sizes[1]);
        Assert.Equal(1984, sizes[2]);
        Assert.Equal(2048, sizes[3]);
        Assert.Equal(1024, sizes[4]);
        Assert.Equal(1024, sizes[5]);
        Assert.Equal(128, sizes[6]);
        Assert.Equal(4, sizes[7]);
        Assert.Equal(4032, sizes[12]);
        Assert.Equal(3968, sizes[13]);
        Assert.Equal(1984, sizes[14]);
        Assert.Equal(1984, sizes[15]);
        Assert.Equal(file, await WriteAsync(4));
        Assert.StartsWith("insecure_", DevelopmentPowersOfTau.FileName(15), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pairings_through_the_precompile_show_one_tau_alpha_and_beta_throughout()
    {
        const int power = 5;
        var s = Sections(await WriteAsync(power));
        AffinePoint<Fq> G1At(int id, int index) => Bn254.ReadG1Lem(s[id].AsSpan(index * Bn254.G1Size));
        AffinePoint<Fq2> G2At(int id, int index) => Bn254.ReadG2Lem(s[id].AsSpan(index * Bn254.G2Size));
        var g2 = Bn254.G2Generator;
        var tauG2 = G2At(3, 1);
        var alphaG1 = G1At(4, 0);

        var requests = new List<JsonRpcRequest>();
        var expected = new List<bool>();
        void Check(bool holds, params (AffinePoint<Fq> P, AffinePoint<Fq2> Q)[] pairs)
        {
            requests.Add(Bn254PrecompileTests.Call(8, Bn254PrecompileTests.Pairs(pairs)));
            expected.Add(holds);
        }

        Assert.Equal(Bn254.G1Generator, G1At(2, 0));
        Assert.Equal(g2, G2At(3, 0));
        foreach (var i in new[] { 0, 1, 7, 30, 61 })
        {
            // e(τ^(i+1)·G1, G2) = e(τ^i·G1, τ·G2)
            Check(true, (G1At(2, i + 1), g2), (G1At(2, i).Negate(), tauG2));
        }

        foreach (var i in new[] { 1, 5, 31 })
        {
            Check(true, (G1At(2, i), g2), (Bn254.G1Generator.Negate(), G2At(3, i))); // τ^i in G1 and G2 agree
            Check(true, (G1At(4, i), g2), (alphaG1.Negate(), G2At(3, i))); // α·τ^i
            Check(true, (G1At(5, i), g2), (G1At(5, 0).Negate(), G2At(3, i))); // β·τ^i
            Check(false, (G1At(2, i + 1), g2), (G1At(2, i + 1).Negate(), tauG2)); // a wrong claim fails
        }

        Check(true, (G1At(5, 0), g2), (Bn254.G1Generator.Negate(), G2At(6, 0))); // β·G1 and β·G2
        // Lagrange blocks: entry i of block k at 2^k − 1 + i; G1, G2, α and β forms agree.
        foreach (var index in new[] { 0, 1, 2, 6, 20, 62 })
        {
            Check(true, (G1At(12, index), g2), (Bn254.G1Generator.Negate(), G2At(13, index)));
            Check(true, (G1At(14, index), g2), (alphaG1.Negate(), G2At(13, index)));
            Check(true, (G1At(15, index), g2), (G1At(5, 0).Negate(), G2At(13, index)));
        }

        var results = await Bn254PrecompileTests.RunAsync(anvil, requests);
        for (var i = 0; i < results.Count; i++) Assert.True(expected[i] == (results[i][^1] == 1), $"pairing check {i} should be {expected[i]}");

        // The Lagrange basis sums to 1 on every block: Σ L_i(τ)·G1 = G1.
        for (var k = 0; k <= power; k++)
        {
            var sum = JacobianPoint<Fq>.Infinity;
            for (var i = 0; i < 1 << k; i++) sum = sum.AddMixed(G1At(12, (1 << k) - 1 + i));
            Assert.Equal(Bn254.G1Generator, sum.ToAffine());
        }
    }
}
