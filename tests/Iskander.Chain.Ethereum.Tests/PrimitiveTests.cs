using System.Text;
using Iskander.Chain.Ethereum.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class PrimitiveTests
{
    [Theory]
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("0xc0", "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")]
    [InlineData("0x80", "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")]
    public void Keccak_matches_published_vectors(string input, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Keccak256.Hash(Hex.Decode(input))));
    }

    [Fact]
    public void Keccak_of_the_Transfer_signature_is_the_ERC20_topic()
    {
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
            Hex.Encode(Keccak256.Hash(Encoding.ASCII.GetBytes("Transfer(address,address,uint256)"))));
    }

    [Fact]
    public void Keccak_agrees_with_BouncyCastle_across_block_boundaries()
    {
        var random = new Random(7);
        foreach (var length in Enumerable.Range(0, 300).Concat([543, 544, 545, 1023, 1024, 4096, 100_000]))
        {
            var data = new byte[length];
            random.NextBytes(data);
            var reference = new KeccakDigest(256);
            reference.BlockUpdate(data, 0, data.Length);
            var expected = new byte[32];
            reference.DoFinal(expected, 0);
            Assert.Equal(expected, Keccak256.Hash(data));
        }
    }

    [Theory]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_checksums_round_trip(string checksummed)
    {
        Assert.Equal(checksummed, Address.Parse(checksummed).ToChecksumString());
        Assert.Equal(checksummed, Address.Parse(checksummed.ToLowerInvariant()).ToChecksumString());
        Assert.Equal(checksummed, Address.Parse("0x" + checksummed[2..].ToUpperInvariant()).ToChecksumString());
    }

    [Theory]
    [InlineData("0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "checksum")] // one letter's case flipped
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35", "40 hex")]
    [InlineData("fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "40 hex")]
    [InlineData("0xgB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "hex digit")]
    public void Bad_addresses_are_rejected_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => Address.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_key_one_has_the_known_address()
    {
        var key = new PrivateKey(Hex.Decode("0x0000000000000000000000000000000000000000000000000000000000000001"));
        Assert.Equal("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", key.Address.ToChecksumString());
        Assert.DoesNotContain("0000000001", key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x0", "0")]
    [InlineData("0x1a", "26")]
    [InlineData("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    public void Quantities_decode_strictly(string quantity, string value)
    {
        Assert.Equal(System.Numerics.BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture), Hex.DecodeQuantity(quantity));
        Assert.Equal(quantity, Hex.EncodeQuantity(Hex.DecodeQuantity(quantity)));
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0x01")]
    [InlineData("1a")]
    [InlineData("0xzz")]
    [InlineData("0x10000000000000000000000000000000000000000000000000000000000000000")]
    public void Non_canonical_quantities_are_rejected(string quantity)
    {
        Assert.Throws<FormatException>(() => Hex.DecodeQuantity(quantity));
        Assert.Throws<FormatException>(() => Hex.DecodeQuantityUInt64(quantity));
    }

    [Theory]
    [InlineData("0x0", 0UL)]
    [InlineData("0x1a", 26UL)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    public void Quantities_of_64_bits_decode_as_any_quantity_does(string quantity, ulong value)
    {
        Assert.Equal(value, Hex.DecodeQuantityUInt64(quantity));
        Assert.Equal((System.Numerics.BigInteger)value, Hex.DecodeQuantity(quantity));
    }

    [Fact]
    public void A_quantity_beyond_64_bits_is_refused_where_64_bits_are_expected()
    {
        var error = Assert.Throws<FormatException>(() => Hex.DecodeQuantityUInt64("0x10000000000000000"));
        Assert.Contains("exceeds 64 bits", error.Message, StringComparison.Ordinal);
    }
}
