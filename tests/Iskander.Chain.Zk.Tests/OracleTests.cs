using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Iskander.Chain.Zk.Merkle;
using Iskander.Chain.Zk.Signatures;
using Xunit.Abstractions;

namespace Iskander.Chain.Zk.Tests;

/// <summary>
/// Randomised cross-checks, every run, against implementations nobody here wrote: circomlibjs,
/// blake-hash, @zk-kit (baby-jubjub, eddsa-poseidon, poseidon-cipher) and MACI's crypto and
/// domainobjs 3.0.0 (tests/oracles/zk-oracle.mjs). The seed is printed; ISKANDER_TEST_SEED replays it.
/// </summary>
public abstract class OracleTestBase(ITestOutputHelper output)
{
    protected const int Cases = 500;
    protected const string Script = "zk-oracle.mjs";
    protected readonly Random _random = new(NodeOracle.Seed(output));

    protected static string D(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    protected static string[] D(BabyJubJubPoint point) => [point.X.ToString(), point.Y.ToString()];

    protected static BigInteger Big(JsonNode? node) => BigInteger.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    protected static BabyJubJubPoint Point(JsonNode? node) => new(Fr.Parse(node![0]!.GetValue<string>()), Fr.Parse(node[1]!.GetValue<string>()));

    protected BigInteger RandomBits(int bits)
    {
        var bytes = new byte[(bits + 7) / 8];
        _random.NextBytes(bytes);
        if (bits % 8 != 0) bytes[^1] &= (byte)((1 << (bits % 8)) - 1);
        return new BigInteger(bytes, isUnsigned: true);
    }

    protected Fr RandomField() => _random.Next(20) switch
    {
        0 => Fr.Zero,
        1 => -Fr.One, // p − 1
        _ => Fr.FromBigInteger(RandomBits(256) % Fr.Modulus),
    };

    protected MaciPrivateKey RandomKey() => new(RandomBits(256));
}

/// <summary>Oracle cross-checks: Poseidon (every arity), BLAKE-512, BabyJubJub multiplication and packing, Merkle trees.</summary>
public sealed class HashAndCurveOracleTests(ITestOutputHelper output) : OracleTestBase(output)
{
    [Fact]
    public async Task Poseidon_of_every_arity_equals_circomlibjs()
    {
        var inputs = Enumerable.Range(0, Cases + 100).Select(i => Enumerable.Range(0, 1 + (i % 6)).Select(_ => RandomField()).ToArray()).ToList();
        var results = await NodeOracle.RunAsync(Script, "poseidon", inputs.Select(x => new { inputs = x.Select(f => f.ToString()).ToArray() }));
        for (var i = 0; i < inputs.Count; i++) Assert.Equal(results[i].GetValue<string>(), Poseidon.Hash(inputs[i]).ToString());

        // The batched path (SIMD lanes where the processor has them) against the same answers.
        foreach (var group in Enumerable.Range(0, inputs.Count).GroupBy(i => inputs[i].Length))
        {
            var hashes = new Fr[group.Count()];
            Poseidon.HashMany(group.SelectMany(i => inputs[i]).ToArray(), group.Key, hashes);
            Assert.Equal(group.Select(i => results[i].GetValue<string>()), hashes.Select(h => h.ToString()));
        }
    }

    [Fact]
    public async Task Blake512_equals_blake_hash()
    {
        var inputs = Enumerable.Range(0, Cases).Select(i => { var bytes = new byte[i % 3 == 0 ? _random.Next(0, 300) : i % 260]; _random.NextBytes(bytes); return bytes; }).ToList();
        var results = await NodeOracle.RunAsync(Script, "blake512", inputs.Select(x => new { hex = Convert.ToHexStringLower(x) }));
        for (var i = 0; i < inputs.Count; i++) Assert.Equal(results[i].GetValue<string>(), Convert.ToHexStringLower(Blake512.Hash(inputs[i])));
    }

    [Fact]
    public async Task Scalar_multiplication_and_packing_equal_zk_kit()
    {
        var cases = Enumerable.Range(0, Cases).Select(i => (Point: i % 2 == 0 ? BabyJubJub.Base8 : RandomKey().PublicKey().Point, Scalar: RandomBits(i % 5 == 0 ? 256 : 253))).ToList();
        var results = await NodeOracle.RunAsync(Script, "babyjub", cases.Select(c => new { x = c.Point.X.ToString(), y = c.Point.Y.ToString(), scalar = D(c.Scalar) }));
        for (var i = 0; i < cases.Count; i++)
        {
            var product = BabyJubJub.Multiply(cases[i].Point, cases[i].Scalar);
            Assert.Equal(Point(results[i]["product"]), product);
            Assert.Equal(product, BabyJubJub.MultiplyVariableTime(cases[i].Point, cases[i].Scalar));
            Assert.True(results[i]["onCurve"]!.GetValue<bool>());
            Assert.True(BabyJubJub.IsOnCurve(product));
            var packed = BabyJubJub.Pack(product);
            Assert.Equal(Big(results[i]["packed"]), new BigInteger(packed, isUnsigned: true));
            Assert.Equal(product, BabyJubJub.Unpack(packed));
        }
    }

    [Fact]
    public async Task Merkle_roots_and_proofs_equal_MACIs_IncrementalQuinTree()
    {
        var cases = Enumerable.Range(0, 60).Select(i =>
        {
            var arity = i % 2 == 0 ? 2 : 5;
            var depth = arity == 2 ? _random.Next(1, 7) : _random.Next(1, 4);
            var capacity = (int)Math.Pow(arity, depth);
            var zero = i % 3 == 0 ? Fr.Zero : RandomField();
            // MACI's tree reads a stored 0 as "no node" and substitutes the zero value; MACI never
            // stores a literal 0 where the zero value is not 0 (those leaves are hashes), so neither do we here.
            var leaves = Enumerable.Range(0, _random.Next(0, capacity + 1)).Select(_ => RandomField()).Select(f => f.IsZero && !zero.IsZero ? Fr.One : f).ToArray();
            return (Arity: arity, Depth: depth, Zero: zero, Leaves: leaves, ProveIndex: _random.Next(0, capacity));
        }).ToList();
        var results = await NodeOracle.RunAsync(Script, "tree", cases.Select(c => new
        {
            arity = c.Arity, depth = c.Depth, zero = c.Zero.ToString(), leaves = c.Leaves.Select(f => f.ToString()), proveIndex = c.ProveIndex,
        }));
        for (var i = 0; i < cases.Count; i++)
        {
            var tree = new IncrementalTree(cases[i].Arity, cases[i].Depth, cases[i].Zero);
            foreach (var leaf in cases[i].Leaves) tree.Insert(leaf);
            Assert.Equal(results[i]["root"]!.GetValue<string>(), tree.Root.ToString());
            var proof = tree.Proof(cases[i].ProveIndex);
            Assert.Equal(results[i]["pathIndices"]!.AsArray().Select(n => n!.GetValue<int>()), proof.PathIndices);
            Assert.Equal(results[i]["pathElements"]!.AsArray().Select(level => level!.AsArray().Select(n => n!.GetValue<string>()).ToList()),
                proof.PathElements.Select(level => level.Select(f => f.ToString()).ToList()));
            Assert.True(IncrementalTree.Verify(proof, cases[i].Arity));
        }
    }
}

/// <summary>Oracle cross-checks: EdDSA-Poseidon, MACI key formatting and serialisation, ECDH.</summary>
public sealed class KeyAndSignatureOracleTests(ITestOutputHelper output) : OracleTestBase(output)
{
    [Fact]
    public async Task EdDSA_signatures_equal_zk_kit_and_verify_there()
    {
        var cases = Enumerable.Range(0, Cases).Select(_ => { var key = new byte[32]; _random.NextBytes(key); return (Key: key, Message: RandomField()); }).ToList();
        var signed = await NodeOracle.RunAsync(Script, "eddsaSign", cases.Select(c => new { keyHex = Convert.ToHexStringLower(c.Key), message = c.Message.ToString() }));
        var ours = cases.Select(c => (PublicKey: EdDsaPoseidon.PublicKey(c.Key), Signature: EdDsaPoseidon.Sign(c.Key, c.Message))).ToList();
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(Point(signed[i]["publicKey"]), ours[i].PublicKey);
            Assert.Equal(Point(signed[i]["r8"]), ours[i].Signature.R8);
            Assert.Equal(Big(signed[i]["s"]), ours[i].Signature.S);
            Assert.True(EdDsaPoseidon.Verify(ours[i].PublicKey, cases[i].Message, ours[i].Signature));
            Assert.False(EdDsaPoseidon.Verify(ours[i].PublicKey, cases[i].Message + Fr.One, ours[i].Signature));
        }

        // zk-kit accepts ours, and rejects ours over another message.
        var verified = await NodeOracle.RunAsync(Script, "eddsaVerify", cases.Select((c, i) => new
        {
            publicKey = D(ours[i].PublicKey), message = (i % 4 == 3 ? c.Message + Fr.One : c.Message).ToString(), r8 = D(ours[i].Signature.R8), sig = D(ours[i].Signature.S),
        }));
        for (var i = 0; i < cases.Count; i++) Assert.Equal(i % 4 != 3, verified[i].GetValue<bool>());
    }

    [Fact]
    public async Task MACI_keys_and_ECDH_equal_MACIs()
    {
        var keys = Enumerable.Range(0, Cases).Select(_ => RandomKey()).ToList();
        var results = await NodeOracle.RunAsync(Script, "maciKey", keys.Select(k => new { sk = D(k.Raw) }));
        for (var i = 0; i < keys.Count; i++)
        {
            var publicKey = keys[i].PublicKey();
            Assert.Equal(results[i]["serializedPrivate"]!.GetValue<string>(), keys[i].Serialize());
            Assert.Equal(Big(results[i]["formatted"]), keys[i].FormattedScalar());
            Assert.Equal(Point(results[i]["publicKey"]), publicKey.Point);
            Assert.Equal(results[i]["serializedPublic"]!.GetValue<string>(), publicKey.Serialize());
            Assert.Equal(publicKey, MaciPublicKey.Parse(results[i]["serializedPublic"]!.GetValue<string>()));
            Assert.Equal(results[i]["hash"]!.GetValue<string>(), publicKey.Hash().ToString());
        }

        var others = keys.Select(_ => RandomKey().PublicKey()).ToList();
        var shared = await NodeOracle.RunAsync(Script, "ecdh", keys.Select((k, i) => new { sk = D(k.Raw), publicKey = D(others[i].Point) }));
        for (var i = 0; i < keys.Count; i++) Assert.Equal(Point(shared[i]), keys[i].SharedKey(others[i]));
    }
}

/// <summary>Oracle cross-checks: Poseidon encryption and MACI vote commands and messages.</summary>
public sealed class CipherAndCommandOracleTests(ITestOutputHelper output) : OracleTestBase(output)
{
    [Fact]
    public async Task Poseidon_encryption_equals_zk_kit_and_decrypts_across_implementations()
    {
        var cases = Enumerable.Range(0, Cases).Select(i => (
            Plaintext: Enumerable.Range(0, 1 + (i % 10)).Select(_ => RandomField()).ToArray(),
            Key: RandomKey().PublicKey().Point,
            Nonce: RandomBits(128))).ToList();
        var encrypted = await NodeOracle.RunAsync(Script, "encrypt", cases.Select(c => new { plaintext = c.Plaintext.Select(f => f.ToString()), key = D(c.Key), nonce = D(c.Nonce) }));
        var ours = cases.Select(c => PoseidonCipher.Encrypt(c.Plaintext, c.Key, c.Nonce)).ToList();
        for (var i = 0; i < cases.Count; i++)
        {
            var theirs = encrypted[i].AsArray().Select(n => Fr.Parse(n!.GetValue<string>())).ToArray();
            Assert.Equal(theirs, ours[i]);
            Assert.Equal(cases[i].Plaintext, PoseidonCipher.Decrypt(theirs, cases[i].Key, cases[i].Nonce, cases[i].Plaintext.Length));
        }

        // Ours decrypt there; every fourth is tampered and must fail there too.
        var decrypted = await NodeOracle.RunAsync(Script, "decrypt", cases.Select((c, i) => new
        {
            ciphertext = ours[i].Select((f, j) => (i % 4 == 3 && j == 0 ? f + Fr.One : f).ToString()), key = D(c.Key), nonce = D(c.Nonce), length = c.Plaintext.Length,
        }));
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(i % 4 != 3, decrypted[i]["ok"]!.GetValue<bool>());
            if (i % 4 != 3) Assert.Equal(cases[i].Plaintext.Select(f => f.ToString()), decrypted[i]["plaintext"]!.AsArray().Select(n => n!.GetValue<string>()));
        }
    }

    // 200 composite cases: each runs key generation, signing, ECDH, encryption and hashing, which the
    // other classes check 500 times each; MACI's JavaScript takes ~0.2 s per case.
    [Fact]
    public async Task Vote_commands_and_messages_equal_MACIs_domain_objects_in_both_directions()
    {
        var coordinator = RandomKey();
        var cases = Enumerable.Range(0, 200).Select(_ => (
            Command: VoteCommand.Create((ulong)_random.NextInt64(0, 1L << 50), RandomKey().PublicKey(), (ulong)_random.Next(0, 25), (ulong)_random.NextInt64(0, 1L << 50),
                (ulong)_random.Next(1, 1000), (ulong)_random.Next(0, 100), RandomField()),
            Voter: RandomKey(),
            Ephemeral: RandomKey())).ToList();
        var results = await NodeOracle.RunAsync(Script, "command", cases.Select(c => new
        {
            stateIndex = c.Command.StateIndex.ToString(CultureInfo.InvariantCulture), newPublicKey = new MaciPublicKey(c.Command.NewPublicKey).Serialize(),
            voteOptionIndex = c.Command.VoteOptionIndex.ToString(CultureInfo.InvariantCulture), newVoteWeight = c.Command.NewVoteWeight.ToString(CultureInfo.InvariantCulture),
            nonce = c.Command.Nonce.ToString(CultureInfo.InvariantCulture), pollId = c.Command.PollId.ToString(CultureInfo.InvariantCulture), salt = c.Command.Salt.ToString(),
            voterSk = D(c.Voter.Raw), ephemeralSk = D(c.Ephemeral.Raw), coordinatorPublicKey = coordinator.PublicKey().Serialize(),
        }));
        var sealedMessages = new List<(MaciMessage Message, MaciPublicKey Ephemeral)>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (command, voter, ephemeral) = cases[i];
            var signature = command.Sign(voter);
            var (message, ephemeralKey) = MaciMessage.Seal(command, signature, coordinator.PublicKey(), ephemeral);
            sealedMessages.Add((message, ephemeralKey));
            Assert.Equal(results[i]["packed"]!.GetValue<string>(), command.Packed().ToString());
            Assert.Equal(results[i]["hash"]!.GetValue<string>(), command.Hash().ToString());
            Assert.Equal(Point(results[i]["r8"]), signature.R8);
            Assert.Equal(Big(results[i]["s"]), signature.S);
            Assert.Equal(results[i]["data"]!.AsArray().Select(n => n!.GetValue<string>()), message.Data.Select(f => f.ToString()));
            Assert.Equal(results[i]["messageHash"]!.GetValue<string>(), message.Hash(ephemeralKey.Point).ToString());

            var (decrypted, decryptedSignature) = VoteCommand.Decrypt(message.Data, coordinator.SharedKey(ephemeralKey), force: false);
            Assert.Equal(command, decrypted);
            Assert.True(decrypted.VerifySignature(decryptedSignature, voter.PublicKey().Point));
        }

        // MACI's coordinator code decrypts what our voter client sealed.
        var opened = await NodeOracle.RunAsync(Script, "decryptCommand", sealedMessages.Select(m => new
        {
            data = m.Message.Data.Select(f => f.ToString()), ephemeralPublicKey = m.Ephemeral.Serialize(), coordinatorSk = D(coordinator.Raw),
        }));
        for (var i = 0; i < cases.Count; i++)
        {
            var command = cases[i].Command;
            Assert.Equal(command.StateIndex.ToString(CultureInfo.InvariantCulture), opened[i]["stateIndex"]!.GetValue<string>());
            Assert.Equal(command.VoteOptionIndex.ToString(CultureInfo.InvariantCulture), opened[i]["voteOptionIndex"]!.GetValue<string>());
            Assert.Equal(command.NewVoteWeight.ToString(CultureInfo.InvariantCulture), opened[i]["newVoteWeight"]!.GetValue<string>());
            Assert.Equal(command.Nonce.ToString(CultureInfo.InvariantCulture), opened[i]["nonce"]!.GetValue<string>());
            Assert.Equal(command.PollId.ToString(CultureInfo.InvariantCulture), opened[i]["pollId"]!.GetValue<string>());
            Assert.Equal(command.Salt.ToString(), opened[i]["salt"]!.GetValue<string>());
            Assert.Equal(new MaciPublicKey(command.NewPublicKey).Serialize(), opened[i]["newPublicKey"]!.GetValue<string>());
        }
    }
}
