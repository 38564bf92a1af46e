using System.Numerics;
using Iskander.Chain.Ethereum.Crypto;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class Secp256k1Tests
{
    [Fact]
    public void Go_ethereum_test_signature_recovers_the_test_public_key()
    {
        var hash = Hex.Decode("0xce0677bb30baa8cf067c88db9811f4333d131bf8bcf12fe7065d211dce971008");
        var signature = EcdsaSignature.FromBytes65(Hex.Decode(
            "0x90f27b8b488db00b00606796d2987f6a5f59ae62ea05effe84fef5b8b0e549984a691139ad57a3f0b906637673aa2f63d1f55cb1a69199d4009eea23ceaddc9301"));
        var publicKey = Secp256k1.RecoverPublicKey(hash, signature);
        Assert.Equal("0xe32df42865e97135acfb65f3bae71bdc86f4d49150ad6a440b6f15878109880a0a2b2667f7e725ceea70c673093bf67663e0312623c8e091b13cf2c0f11ef652",
            Hex.Encode(publicKey));
        Assert.Equal("0xa19d069d48d2e9392ec2bB41eCaB0A72119d633b", Address.FromPublicKey(publicKey).ToChecksumString());
    }

    [Fact]
    public void Malleable_high_s_signatures_are_rejected()
    {
        var hash = Hex.Decode("0xd301ce462d3e639518f482c7f03821fec1e602018630ce621e1e7851c12343a6");
        var rs = Hex.Decode("0x638a54215d80a6713c8d523a6adc4e6e73652d859103a36b700851cb0e61b66b8ebfc1a610c57d732ec6e0a8f06a9a7a28df5051ece514702ff9cdff0b11f454");
        foreach (byte v in new byte[] { 0, 1 })
        {
            var signature = EcdsaSignature.FromBytes65([.. rs, v]);
            var error = Assert.Throws<InvalidSignatureException>(() => Secp256k1.RecoverPublicKey(hash, signature));
            Assert.Contains("malleable", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Eip712_mail_digest_signed_by_cow_gives_the_published_signature()
    {
        var key = new PrivateKey(Hex.Decode("0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"));
        Assert.Equal("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", key.Address.ToChecksumString());
        var digest = Hex.Decode("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
        var signature = key.Sign(digest);
        Assert.Equal(28, signature.ToBytes65()[64]);
        Assert.Equal(Hex.Decode("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"), signature.ToBytes65()[..32]);
        Assert.Equal(Hex.Decode("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"), signature.ToBytes65()[32..64]);
        Assert.Equal(key.Address, Secp256k1.RecoverAddress(digest, signature));
    }

    [Fact]
    public void Personal_sign_hash_of_hello_world_matches_the_vector()
    {
        Assert.Equal("0xd9eba16ed0ecae432b71fe008c98cc872bb4cc214d3220a36f365326cf807d68", PersonalMessage.Hash("hello world").ToString());
    }

    [Fact]
    public void Signatures_over_another_message_recover_another_address()
    {
        var key = PrivateKey.Generate();
        var signature = PersonalMessage.Sign("vote yes"u8, key);
        Assert.Equal(key.Address, PersonalMessage.Recover("vote yes"u8, signature));
        Assert.NotEqual(key.Address, PersonalMessage.Recover("vote no"u8, signature));
    }

    [Theory]
    [InlineData("0", "1")]
    [InlineData("1", "0")]
    [InlineData("115792089237316195423570985008687907852837564279074904382605163141518161494337", "1")] // r = n
    public void Out_of_range_r_or_s_is_rejected(string r, string s)
    {
        var signature = new EcdsaSignature(BigInteger.Parse(r, System.Globalization.CultureInfo.InvariantCulture), BigInteger.Parse(s, System.Globalization.CultureInfo.InvariantCulture), 0);
        Assert.Throws<InvalidSignatureException>(() => Secp256k1.RecoverPublicKey(new byte[32], signature));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(66)]
    public void Signatures_of_the_wrong_length_are_rejected(int length)
    {
        Assert.Throws<FormatException>(() => EcdsaSignature.FromBytes65(new byte[length]));
    }

    [Fact]
    public void Invalid_private_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PrivateKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => new PrivateKey(Hex.Decode("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")));
        Assert.Throws<ArgumentException>(() => new PrivateKey(new byte[31]));
    }
}
