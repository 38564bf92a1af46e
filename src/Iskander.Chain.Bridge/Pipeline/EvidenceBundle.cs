using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Car;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// Everything needed to verify one decision version without the bridge: the record as a CAR (its
/// block verified on read), the leaf, its index and proof, the root, and where the root is anchored
/// (chain id, DecisionAnchor address, block). Format <c>iskander.evidence/1</c> (docs/formats.md).
/// </summary>
public sealed record EvidenceBundle(string PollKey, int Version, string State, Cid Cid, byte[] Car, DecisionRef Reference, ulong ChainId, Address DecisionAnchor, long? BlockNumber)
{
    /// <summary>Format identifier.</summary>
    public const string Format = "iskander.evidence/1";

    /// <summary>The bundle of an anchored decision.</summary>
    public static async Task<EvidenceBundle> CreateAsync(AnchoredDecision decision, ulong chainId, Address anchor)
    {
        var cid = Cid.Parse(decision.Cid);
        using var car = new MemoryStream();
        var writer = await CarWriter.CreateAsync(car, [cid]).ConfigureAwait(false);
        await writer.PutBlockAsync(cid, decision.Record, default).ConfigureAwait(false);
        return new EvidenceBundle(decision.PollKey, decision.Version, decision.State, cid, car.ToArray(), decision.Reference, chainId, anchor, decision.BlockNumber);
    }

    /// <summary>The record's bytes, read from the CAR (which verifies the block against its CID).</summary>
    /// <exception cref="CarFormatException">The CAR is malformed or its block does not match its CID.</exception>
    public byte[] Record()
    {
        var (_, blocks) = CarReader.Read(Car);
        return blocks.FirstOrDefault(b => b.Cid.Equals(Cid)).Block ?? throw new CarFormatException($"the CAR holds no block {Cid}");
    }

    /// <summary>The bundle as JSON.</summary>
    public string ToJson() => new JsonObject
    {
        ["format"] = Format,
        ["pollKey"] = PollKey,
        ["version"] = Version,
        ["state"] = State,
        ["cid"] = Cid.ToString(),
        ["car"] = Convert.ToBase64String(Car),
        ["leaf"] = Reference.Leaf.ToString(),
        ["index"] = Reference.Index,
        ["proof"] = new JsonArray(Reference.Proof.Select(p => (JsonNode)JsonValue.Create(p.ToString())!).ToArray()),
        ["root"] = Reference.Root.ToString(),
        ["chainId"] = ChainId,
        ["decisionAnchor"] = DecisionAnchor.ToString(),
        ["blockNumber"] = BlockNumber,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Parses a bundle.</summary>
    /// <exception cref="FormatException">Not a bundle of this format, or a malformed field.</exception>
    public static EvidenceBundle Parse(string json)
    {
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("an evidence bundle is a JSON object");
            if (root["format"]?.GetValue<string>() != Format) throw new FormatException($"not an {Format} bundle");
            JsonNode Field(string name) => root[name] ?? throw new FormatException($"bundle has no '{name}'");
            string Text(string name) => Field(name).GetValue<string>();
            var reference = new DecisionRef(Hash32.Parse(Text("root")), Hash32.Parse(Text("leaf")), Field("index").GetValue<ulong>(),
                Field("proof").AsArray().Select(p => Hash32.Parse((p ?? throw new FormatException("null proof element")).GetValue<string>())).ToList());
            return new EvidenceBundle(Text("pollKey"), Field("version").GetValue<int>(), Text("state"), Cid.Parse(Text("cid")), Convert.FromBase64String(Text("car")), reference,
                Field("chainId").GetValue<ulong>(), Address.Parse(Text("decisionAnchor")), root["blockNumber"]?.GetValue<long>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new FormatException($"malformed evidence bundle: {ex.Message}", ex);
        }
    }
}
