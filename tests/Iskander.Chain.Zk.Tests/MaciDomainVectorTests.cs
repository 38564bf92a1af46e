using System.Numerics;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Iskander.Chain.Zk.Merkle;

namespace Iskander.Chain.Zk.Tests;

public sealed class MaciDomainVectorTests
{
    private static Fr F(string decimalText) => Fr.Parse(decimalText);

    [Fact]
    public void Command_packing_and_hash_match_MACI()
    {
        var key = MaciPrivateKey.Parse("macisk.3cd46064ea59936f82efb384059dd4f5b6b8e5c7546614caf7c1c3be0daea00f").PublicKey();
        var command = VoteCommand.Create(1, key, 0, 1, 1, 0, Fr.FromUInt64(123456789));
        Assert.Equal(F("1427247692705961148708886197678896633085952001"), command.Packed());
        Assert.Equal(F("20207762550039464482205089292991681078663809286579249454177514217794478157628"), command.Hash());
        Assert.Throws<ArgumentOutOfRangeException>(() => VoteCommand.Create(1UL << 50, key, 0, 1, 1, 0, Fr.One));
    }

    [Fact]
    public void Blank_leaves_empty_ballots_and_the_placeholder_message_match_MACI()
    {
        Assert.Equal(F("11672248758340751985123309654953904206381780234474872690580702076708041504880"), StateLeaf.Blank.Hash());
        Assert.Equal(F("19043237221090272122739844447430900179112218785669482881521775960536560996717"), Ballot.Empty(1).Hash());
        Assert.Equal(F("15270550985802884363044603976830646624092011360671265768952276492059475481074"), Ballot.Empty(2).Hash());
        Assert.Equal(F("18057407378841075102741797732357506369790361932473177224742971512613866145839"), new IncrementalTree(2, 5, Ballot.Empty(1).Hash()).Root);
        Assert.Equal(F("9899650177176519102276057140167415701443368572040295456488691686725887825948"), new IncrementalTree(2, 7, Ballot.Empty(1).Hash()).Root);

        var placeholder = MaciMessage.Placeholder.Hash(MaciConstants.PadKey);
        Assert.Equal(F("20523552186133564418162474583923228766749033188106955517398089872921852450744"), placeholder);
        var chain = new MessageChain(batchSize: 2);
        chain.Append(placeholder);
        Assert.Equal(F("12649350970565573789066258659224999455371603918509045170753206255024702190895"), chain.Current);
        Assert.Single(chain.BatchHashes);
        chain.PadLastBatch();
        Assert.Equal([MaciConstants.NothingUpMySleeve, chain.Current], chain.BatchHashes);
    }

    [Fact]
    public void Merkle_proofs_verify_and_fail_when_altered()
    {
        foreach (var arity in new[] { 2, 5 })
        {
            var tree = new IncrementalTree(arity, arity == 2 ? 5 : 3, Fr.Zero);
            for (ulong i = 1; i <= 20; i++) tree.Insert(Fr.FromUInt64(i * 7));
            tree.Update(4, Fr.FromUInt64(999));
            foreach (var index in new long[] { 0, 4, 19, 20, tree.Capacity - 1 })
            {
                var proof = tree.Proof(index);
                Assert.True(IncrementalTree.Verify(proof, arity));
                Assert.False(IncrementalTree.Verify(proof with { Leaf = proof.Leaf + Fr.One }, arity));
                Assert.False(IncrementalTree.Verify(proof with { PathIndices = proof.PathIndices.Select(p => (p + 1) % arity).ToList() }, arity));
            }
        }

        var full = new IncrementalTree(2, 1, Fr.Zero);
        full.Insert(Fr.One);
        full.Insert(Fr.One);
        Assert.Throws<InvalidOperationException>(() => full.Insert(Fr.One));
    }

    [Fact]
    public void A_forced_decryption_of_garbage_yields_a_command_not_an_error()
    {
        var coordinator = new MaciPrivateKey(BigInteger.Parse("1234567890123456789012345678901234567890"));
        var voter = MaciPrivateKey.Parse("macisk.3cd46064ea59936f82efb384059dd4f5b6b8e5c7546614caf7c1c3be0daea00f");
        var command = VoteCommand.Create(3, voter.PublicKey(), 2, 1, 1, 0, Fr.FromUInt64(5));
        var (message, ephemeral) = MaciMessage.Seal(command, command.Sign(voter), coordinator.PublicKey(), new MaciPrivateKey(77));
        var (decrypted, signature) = VoteCommand.Decrypt(message.Data, coordinator.SharedKey(ephemeral), force: false);
        Assert.Equal(command, decrypted);
        Assert.True(decrypted.VerifySignature(signature, voter.PublicKey().Point));

        var garbage = message.Data.Select((d, i) => i == 2 ? d + Fr.One : d).ToList();
        Assert.ThrowsAny<Exception>(() => VoteCommand.Decrypt(garbage, coordinator.SharedKey(ephemeral), force: false));
        var (forced, forcedSignature) = VoteCommand.Decrypt(garbage, coordinator.SharedKey(ephemeral), force: true);
        Assert.False(forced.VerifySignature(forcedSignature, voter.PublicKey().Point));
    }
}
