using System.Text;
using System.Text.Json;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Anchoring.Tests;

/// <summary>The C# side of the shared decision formats against the golden vectors the Solidity tests also read.</summary>
public sealed class FormatTests
{
    private static JsonDocument Vectors() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestToolchain.Layout.Root, "contracts", "test", "vectors", "decision-batches.json")));

    private static List<Hash32> Hashes(JsonElement array) => array.EnumerateArray().Select(e => Hash32.Parse(e.GetString()!)).ToList();

    [Fact]
    public void Leaves_roots_and_every_proof_equal_the_golden_vectors()
    {
        using var vectors = Vectors();
        Assert.Equal(DecisionLeaf.TagV1, Hash32.Parse(vectors.RootElement.GetProperty("tag").GetString()!));
        var sizes = new List<int>();
        foreach (var batch in vectors.RootElement.GetProperty("batches").EnumerateArray())
        {
            var digests = Hashes(batch.GetProperty("digests"));
            var leaves = digests.Select(DecisionLeaf.FromDigest).ToList();
            Assert.Equal(Hashes(batch.GetProperty("leaves")), leaves);

            var tree = new DecisionMerkleTree(leaves);
            Assert.Equal(Hash32.Parse(batch.GetProperty("root").GetString()!), tree.Root);
            var proofs = batch.GetProperty("proofs").EnumerateArray().Select(Hashes).ToList();
            for (var i = 0; i < leaves.Count; i++)
            {
                Assert.Equal(proofs[i], tree.Proof(i));
                Assert.True(DecisionMerkleTree.Verify(tree.Root, leaves[i], (ulong)i, (ulong)leaves.Count, proofs[i]));
            }

            sizes.Add(leaves.Count);
        }

        Assert.Equal([1, 2, 3, 5, 8, 100], sizes);
    }

    [Fact]
    public void The_vector_digests_are_sha256_of_the_sample_records()
    {
        using var vectors = Vectors();
        var digests = Hashes(vectors.RootElement.GetProperty("batches")[5].GetProperty("digests"));
        for (var i = 0; i < digests.Count; i++)
        {
            Assert.Equal(DecisionLeaf.FromRecord(Encoding.UTF8.GetBytes($"decision {i}")), DecisionLeaf.FromDigest(digests[i]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Proofs_verify_only_at_their_own_index_and_length(int size)
    {
        var leaves = Enumerable.Range(0, size).Select(i => DecisionLeaf.FromRecord(BitConverter.GetBytes(i))).ToList();
        var tree = new DecisionMerkleTree(leaves);
        var random = new Random(size);
        foreach (var index in Enumerable.Range(0, Math.Min(size, 50)).Select(_ => random.Next(size)))
        {
            var proof = tree.Proof(index);
            Assert.True(DecisionMerkleTree.Verify(tree.Root, leaves[index], (ulong)index, (ulong)size, proof));
            if (size > 1)
            {
                Assert.False(DecisionMerkleTree.Verify(tree.Root, leaves[index], (ulong)((index + 1) % size), (ulong)size, proof));
                Assert.False(DecisionMerkleTree.Verify(tree.Root, leaves[index], (ulong)index, (ulong)size, proof.Take(proof.Count - 1).ToList()));
                Assert.False(DecisionMerkleTree.Verify(tree.Root, leaves[index], (ulong)index, (ulong)size, [.. proof, tree.Root]));
            }

            Assert.False(DecisionMerkleTree.Verify(tree.Root, DecisionLeaf.FromRecord("forged"u8), (ulong)index, (ulong)size, proof));
            Assert.Null(DecisionMerkleTree.ComputeRoot(leaves[index], (ulong)size, (ulong)size, proof));
        }
    }

    [Fact]
    public void An_empty_batch_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DecisionMerkleTree([]));
    }
}
