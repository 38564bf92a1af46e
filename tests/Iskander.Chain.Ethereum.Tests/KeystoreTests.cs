using System.Text;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class KeystoreTests
{
    private const string Pbkdf2Vector = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
         "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
         "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
         "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
         "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """;

    // The same vector with the capitalised "Crypto" some writers use.
    private const string ScryptVector = """
        {"Crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
         "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
         "kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
         "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
         "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """;

    private const string ExpectedKey = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

    [Fact]
    public void The_standard_pbkdf2_vector_decrypts()
    {
        var key = KeystoreV3.Decrypt(Pbkdf2Vector, "testpassword");
        Assert.Equal(ExpectedKey, key.ExportHex());
        Assert.Equal("0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b", key.Address.ToChecksumString());
    }

    [Fact]
    public void The_standard_scrypt_vector_with_N_2_to_the_18_and_r_1_decrypts()
    {
        Assert.Equal(ExpectedKey, KeystoreV3.Decrypt(ScryptVector, "testpassword").ExportHex());
    }

    [Fact]
    public void Scrypt_matches_the_RFC_7914_vector()
    {
        var derived = Scrypt.Derive(Encoding.ASCII.GetBytes("password"), Encoding.ASCII.GetBytes("NaCl"), 1024, 8, 16, 64);
        Assert.Equal("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
            Convert.ToHexStringLower(derived));
    }

    [Fact]
    public void A_wrong_password_or_an_altered_file_fails_the_mac_check()
    {
        Assert.Throws<KeystorePasswordException>(() => KeystoreV3.Decrypt(Pbkdf2Vector, "wrong"));
        var altered = Pbkdf2Vector.Replace("5318b4d5", "5318b4d6", StringComparison.Ordinal);
        Assert.Throws<KeystorePasswordException>(() => KeystoreV3.Decrypt(altered, "testpassword"));
    }

    [Fact]
    public void Unsupported_formats_are_refused_clearly()
    {
        Assert.Contains("version 3", Assert.Throws<FormatException>(() => KeystoreV3.Decrypt(Pbkdf2Vector.Replace("\"version\":3", "\"version\":2", StringComparison.Ordinal), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("cipher", Assert.Throws<FormatException>(() => KeystoreV3.Decrypt(Pbkdf2Vector.Replace("aes-128-ctr", "aes-128-cbc", StringComparison.Ordinal), "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_keystores_round_trip_and_never_contain_the_key()
    {
        var key = PrivateKey.Generate();
        var json = KeystoreV3.Encrypt(key, "correct horse", ScryptParameters.Light);
        Assert.DoesNotContain(key.ExportHex()[2..], json, StringComparison.Ordinal);
        Assert.Equal(key.Address, KeystoreV3.Decrypt(json, "correct horse").Address);
        Assert.Equal(key.Address.ToLowerHex()[2..], JsonNode.Parse(json)!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_keystore_made_by_cast_decrypts_to_the_address_cast_reports()
    {
        using var directory = new TempDirectory();
        var runner = TestToolchain.Runner();
        var created = await runner.RunAsync(Tool.Cast, ["wallet", "new", directory.Path, "--unsafe-password", "cast pass"]);
        var file = Directory.GetFiles(directory.Path).Single();
        var reported = (await runner.RunAsync(Tool.Cast, ["wallet", "address", "--keystore", file, "--password", "cast pass"])).StandardOutput.Trim();

        var key = KeystoreV3.Decrypt(await File.ReadAllTextAsync(file), "cast pass");
        Assert.Equal(Address.Parse(reported), key.Address);
        Assert.Contains(key.Address.ToChecksumString(), created.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_keystore_written_here_is_accepted_by_cast()
    {
        using var directory = new TempDirectory();
        var key = PrivateKey.Generate();
        var file = directory.Combine("ours.json");
        await File.WriteAllTextAsync(file, KeystoreV3.Encrypt(key, "our pass", ScryptParameters.Light));
        var reported = (await TestToolchain.Runner().RunAsync(Tool.Cast, ["wallet", "address", "--keystore", file, "--password", "our pass"])).StandardOutput.Trim();
        Assert.Equal(key.Address, Address.Parse(reported));
    }
}
