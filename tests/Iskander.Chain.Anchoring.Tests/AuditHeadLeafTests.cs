using System.Text;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Anchoring.Tests;

/// <summary>The audit head leaf against ethers.js computing it from the published definition (docs/formats.md).</summary>
public sealed class AuditHeadLeafTests
{
    [Fact]
    public async Task Audit_head_leaves_equal_the_definition_computed_by_ethers()
    {
        var heads = new[] { (1L, Hash32.Keccak("first"u8)), (255L, Hash32.Keccak("x"u8)), (long.MaxValue, default(Hash32)) };
        var encoded = await NodeOracle.RunAsync("ethers-oracle.mjs", "abiEncode",
            heads.Select(h => new { types = new[] { "uint64", "bytes32" }, values = new object[] { h.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Item2.ToString() } }));
        var inner = await NodeOracle.RunAsync("ethers-oracle.mjs", "keccak", encoded.Select(e => new { data = e["encoded"]!.GetValue<string>() }));
        var tag = (await NodeOracle.RunAsync("ethers-oracle.mjs", "keccak", [new { data = Hex.Encode(Encoding.ASCII.GetBytes("iskander.audit-head.v1")) }]))[0]["hash"]!.GetValue<string>();
        var leaves = await NodeOracle.RunAsync("ethers-oracle.mjs", "keccak", inner.Select(i => new { data = "0x00" + tag[2..] + i["hash"]!.GetValue<string>()[2..] }));
        for (var i = 0; i < heads.Length; i++) Assert.Equal(leaves[i]["hash"]!.GetValue<string>(), AuditHeadLeaf.Compute(heads[i].Item1, heads[i].Item2).ToString());
    }

    [Fact]
    public void Audit_head_leaves_differ_from_decision_leaves_of_the_same_bytes_and_refuse_entry_zero()
    {
        var hash = Hash32.Keccak("log"u8);
        Assert.NotEqual(DecisionLeaf.FromDigest(hash), AuditHeadLeaf.Compute(1, hash));
        Assert.NotEqual(AuditHeadLeaf.Compute(1, hash), AuditHeadLeaf.Compute(2, hash));
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditHeadLeaf.Compute(0, hash));
    }
}
