using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Zk.Tests;

/// <summary>MACI reference values (computed with @maci-protocol/crypto 3.0.0 and circomlibjs).</summary>
public sealed class MaciVectorTests
{
    private static readonly MaciPrivateKey Seed1 = MaciPrivateKey.Parse("macisk.3cd46064ea59936f82efb384059dd4f5b6b8e5c7546614caf7c1c3be0daea00f");
    private static readonly MaciPrivateKey Seed2 = new(BigInteger.Parse("1234567890123456789012345678901234567890"));

    private static Fr F(string decimalText) => Fr.Parse(decimalText);

    private static BabyJubJubPoint P(string x, string y) => new(F(x), F(y));

    [Fact]
    public void Key_formatting_public_key_and_serialisation_match_MACI()
    {
        Assert.Equal(BigInteger.Parse("27514007781052885036162808648019893362811628316940391612960868886926452498447"), Seed1.Raw);
        Assert.Equal(BigInteger.Parse("946659067452871483158258117825071225688262790175018489780788902383614318643"), Seed1.FormattedScalar());
        var publicKey = Seed1.PublicKey();
        Assert.Equal(P("7849177681360672621257726786949079749092629607596162839195961972852243798387", "6476520406570543146511284735472598280851241629796745672331248892171436291770"), publicKey.Point);
        Assert.Equal("macipk.0e5194a54562ea4d440ac6a0049a41d4b600e3eb0bf54486e7a5f7e27521f6ba", publicKey.Serialize());
        Assert.Equal(publicKey, MaciPublicKey.Parse(publicKey.Serialize()));
        Assert.Equal(F("17764731507278189297398364193311713190136720780494576299236062939338350099798"), publicKey.Hash());
        Assert.Equal("macisk.3cd46064ea59936f82efb384059dd4f5b6b8e5c7546614caf7c1c3be0daea00f", Seed1.Serialize());
        Assert.Equal(P("19818009576534658594524821838937032133384480234186107493597684420711855066256", "19775087487765865226936818370356260720933963479459515027776711679282610150439"), Seed2.PublicKey().Point);
    }

    [Fact]
    public void EdDSA_signature_matches_MACI_and_circomlibjs()
    {
        var signature = Seed1.Sign(Fr.FromUInt64(42));
        Assert.Equal(P("17601037827328086776748216503164473046108990923588590230731541241475541113793", "3234556497559078561932343270539969927436332713760076269106426969445810749148"), signature.R8);
        Assert.Equal(BigInteger.Parse("381642779857277720481648548588047554966982260778170590368136340480924859501"), signature.S);
        Assert.True(Seed1.PublicKey().Verify(Fr.FromUInt64(42), signature));
        Assert.False(Seed1.PublicKey().Verify(Fr.FromUInt64(43), signature));
        Assert.False(Seed2.PublicKey().Verify(Fr.FromUInt64(42), signature));

        // circomlibjs test/eddsa.js: raw key bytes 00 01 02 … 09 00 01 … (32 bytes), message bytes 00…09 00 00.
        var rawKey = Convert.FromHexString("0001020304050607080900010203040506070809000102030405060708090001");
        Assert.Equal(P("13277427435165878497778222415993513565335242147425444199013288855685581939618", "13622229784656158136036771217484571176836296686641868549125388198837476602820"), EdDsaPoseidon.PublicKey(rawKey));
        var message = Fr.ReduceLittleEndian(Convert.FromHexString("000102030405060708090000"));
        var raw = EdDsaPoseidon.Sign(rawKey, message);
        Assert.Equal(P("11384336176656855268977457483345535180380036354188103142384839473266348197733", "15383486972088797283337779941324724402501462225528836549661220478783371668959"), raw.R8);
        Assert.Equal(BigInteger.Parse("1672775540645840396591609181675628451599263765380031905495115170613215233181"), raw.S);
    }

    [Fact]
    public void ECDH_is_symmetric_and_Poseidon_encryption_matches_MACI()
    {
        var shared = Seed1.SharedKey(Seed2.PublicKey());
        Assert.Equal(shared, Seed2.SharedKey(Seed1.PublicKey()));
        Assert.Equal(P("21786750591326619765764837592076905119443421661066491108726283022068841884123", "17054196695818637284262513729598427398056962291054848913838023592064958386004"), shared);

        var plaintext = Enumerable.Range(1, 7).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
        var ciphertext = PoseidonCipher.Encrypt(plaintext, shared, 0);
        string[] expected =
        [
            "19741231361193821619956007402383745982477044492740044350928502733998925032686", "17152161135795590900289522730793806094582403277351316677251413818409728666066",
            "255880503757894165007395655226921680488370581584431929249340543709832257531", "341615817021220692188526357920840868363781996797965072232013013314484795872",
            "3881559648302796723331752097592246514874875517648040917395079463797065899056", "5983839431582936362291263916270387242390791099971948400077098179083215581605",
            "15444007125618966996219582577048149712542668032447481361265017461893189103295", "20713044572965877859349431471018091825417791293007710789193463636093926347541",
            "19698535218210555320239342986289194611777961230995314204691178951404078791583", "3886091538731447695849530805319608609536461852027582286203137724589150688545",
        ];
        Assert.Equal(expected.Select(F), ciphertext);
        Assert.Equal(plaintext, PoseidonCipher.Decrypt(ciphertext, shared, 0, 7));

        var tampered = (Fr[])ciphertext.Clone();
        tampered[3] += Fr.One;
        Assert.Throws<PoseidonDecryptionException>(() => PoseidonCipher.Decrypt(tampered, shared, 0, 7));
        Assert.Throws<PoseidonDecryptionException>(() => PoseidonCipher.Decrypt(ciphertext, shared, 1, 7));
        Assert.Throws<PoseidonDecryptionException>(() => PoseidonCipher.Decrypt(ciphertext, Seed1.PublicKey().Point, 0, 7));
        Assert.NotEqual(plaintext, PoseidonCipher.DecryptWithoutCheck(tampered, shared, 0, 7)); // no exception, garbage out
    }

    [Fact]
    public void Points_off_the_curve_outside_the_subgroup_or_the_identity_are_rejected()
    {
        var valid = Seed1.PublicKey().Point;
        Assert.True(BabyJubJub.IsValidPublicPoint(valid));
        Assert.False(BabyJubJub.IsOnCurve(valid with { Y = valid.Y + Fr.One }));
        Assert.Throws<ArgumentException>(() => new MaciPublicKey(valid with { Y = valid.Y + Fr.One }));
        Assert.Throws<ArgumentException>(() => new MaciPublicKey(BabyJubJubPoint.Identity));

        // A point of order 2 ((0, −1)) is on the curve; added to a valid key it leaves the subgroup.
        var orderTwo = new BabyJubJubPoint(Fr.Zero, -Fr.One);
        Assert.True(BabyJubJub.IsOnCurve(orderTwo));
        var mixed = BabyJubJub.Add(valid, orderTwo);
        Assert.True(BabyJubJub.IsOnCurve(mixed));
        Assert.False(BabyJubJub.IsValidPublicPoint(mixed));
        Assert.Throws<ArgumentException>(() => new MaciPublicKey(mixed));
    }

    [Fact]
    public void Packing_round_trips_and_rejects_non_points()
    {
        var random = new Random(9);
        for (var i = 0; i < 50; i++)
        {
            var point = BabyJubJub.Multiply(BabyJubJub.Base8, VectorTests.RandomBelowModulus(random) % BabyJubJub.SubgroupOrder);
            Assert.Equal(point, BabyJubJub.Unpack(BabyJubJub.Pack(point)));
        }

        // About half of all y have no x on the curve; take the first such small y.
        var y = Enumerable.Range(2, 100).Select(v => Fr.FromUInt64((ulong)v))
            .First(v => FieldSqrt.Sqrt((Fr.One - v.Square()) * (BabyJubJub.A - BabyJubJub.D * v.Square()).Inverse()) is null);
        var notAPoint = new byte[32];
        y.WriteLittleEndian(notAPoint);
        Assert.Throws<FormatException>(() => BabyJubJub.Unpack(notAPoint));
        var tooLarge = Enumerable.Repeat((byte)0xFF, 31).Append((byte)0x7F).ToArray(); // y = 2^255 − 1 ≥ p
        Assert.Throws<FormatException>(() => BabyJubJub.Unpack(tooLarge));
        Assert.Throws<FormatException>(() => MaciPublicKey.Parse("macipk.zz"));
        Assert.Throws<FormatException>(() => MaciPrivateKey.Parse("maciSK.00"));
    }
}
