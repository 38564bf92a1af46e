using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;

namespace Iskander.Chain.Governance;

/// <summary>
/// The ERC-4973 agreement a member signs to accept a membership token: EIP-712
/// <c>Agreement(address active, address passive, bytes metadata)</c> in the <c>CoopIdentity</c>
/// domain, with the issuer as active party and <c>metadata = abi.encode(MembershipTerms)</c>, which
/// names the role, the token URI and the decision record that admitted the member. Signing it is
/// consent to exactly that membership, on exactly that chain and contract.
/// </summary>
public sealed class MembershipAgreement
{
    private const string TermsType = "(bytes32,string,bytes32)";

    private readonly string _json;

    private MembershipAgreement(string json, Address member, byte[] metadata)
    {
        _json = json;
        TypedData = TypedData.Parse(json);
        Member = member;
        Metadata = metadata;
    }

    /// <summary>The typed data, as wallets take it (<c>eth_signTypedData_v4</c>).</summary>
    public TypedData TypedData { get; }

    /// <summary>The member who must sign.</summary>
    public Address Member { get; }

    /// <summary>The token metadata (<c>abi.encode(MembershipTerms)</c>), passed to <c>give</c>.</summary>
    public byte[] Metadata { get; }

    /// <summary>The digest the member signs (equal to <c>CoopIdentity.agreementHash(issuer, member, metadata)</c>).</summary>
    public Hash32 Digest => TypedData.Digest();

    /// <summary>The agreement for admitting <paramref name="member"/> with <paramref name="role"/> as ordered by the decision record with <paramref name="decisionDigest"/>.</summary>
    public static MembershipAgreement Create(ulong chainId, Address identity, Address issuer, Address member, string role, string uri, Hash32 decisionDigest)
    {
        var metadata = AbiCodec.Encode([TermsType], [new object?[] { GovernanceAction.ShortText(role), uri, decisionDigest.ToArray() }]);
        return FromParts(chainId, identity, issuer, member, metadata);
    }

    /// <summary>Rebuilds an agreement from its parts (e.g. as stored by the bridge or sent by its API).</summary>
    public static MembershipAgreement FromParts(ulong chainId, Address identity, Address issuer, Address member, byte[] metadata)
    {
        var json = new JsonObject
        {
            ["types"] = new JsonObject
            {
                ["EIP712Domain"] = Fields(("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")),
                ["Agreement"] = Fields(("active", "address"), ("passive", "address"), ("metadata", "bytes")),
            },
            ["primaryType"] = "Agreement",
            ["domain"] = new JsonObject { ["name"] = "CoopIdentity", ["version"] = "1", ["chainId"] = chainId.ToString(CultureInfo.InvariantCulture), ["verifyingContract"] = identity.ToChecksumString() },
            ["message"] = new JsonObject { ["active"] = issuer.ToChecksumString(), ["passive"] = member.ToChecksumString(), ["metadata"] = Hex.Encode(metadata) },
        };
        return new MembershipAgreement(json.ToJsonString(), member, metadata);
    }

    /// <summary>Parses typed data as <see cref="ToJson"/> writes it, checking it is a CoopIdentity agreement.</summary>
    /// <exception cref="FormatException">Not an agreement.</exception>
    public static MembershipAgreement Parse(string typedDataJson)
    {
        var typedData = TypedData.Parse(typedDataJson);
        if (typedData.PrimaryType != "Agreement" || typedData.Domain.GetProperty("name").GetString() != "CoopIdentity") throw new FormatException("not a CoopIdentity membership agreement");
        var message = typedData.Message;
        return new MembershipAgreement(typedDataJson, Address.Parse(message.GetProperty("passive").GetString()!), Hex.Decode(message.GetProperty("metadata").GetString()!));
    }

    /// <summary>The member's signature (65 bytes, r ‖ s ‖ v).</summary>
    public byte[] Sign(PrivateKey key) => TypedData.Sign(key).ToBytes65();

    /// <summary>Whether <paramref name="signature"/> is the member's consent to this agreement; otherwise says whose it is.</summary>
    public (bool Valid, string? Problem) CheckConsent(ReadOnlySpan<byte> signature)
    {
        Address signer;
        try
        {
            signer = TypedData.RecoverSigner(EcdsaSignature.FromBytes65(signature));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return (false, $"not a valid signature: {ex.Message}");
        }

        return signer == Member ? (true, null)
            : (false, $"the signature is by {signer.ToChecksumString()}, not {Member.ToChecksumString()}: signed by another key, or over another agreement, chain or contract");
    }

    /// <summary>The typed data JSON.</summary>
    public string ToJson() => _json;

    private static JsonArray Fields(params (string Name, string Type)[] fields) =>
        new(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());
}
