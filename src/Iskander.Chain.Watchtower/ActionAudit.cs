using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Content;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Watchtower;

/// <summary>What the audit of one scheduled action found.</summary>
/// <param name="Passed">Whether the decision record orders exactly this action.</param>
/// <param name="Detail">What was found, in words (for PASS: what the action does and which record orders it; for ALARM: what is wrong).</param>
/// <param name="PollKey">The ordering poll's key, when the record was read.</param>
public sealed record AuditResult(bool Passed, string Detail, string? PollKey = null);

/// <summary>
/// Checks one scheduled action against the decision record its digest names, with nothing but the
/// record's bytes and the cooperative's trusted addresses: the record exists, its poll and version
/// are the action's, it is a version that orders actions, and its action block contains exactly
/// this action (kind, target, parameters, decision digest). A supersession marker (the bridge's, for a
/// later version that orders nothing of its own) needs no action block: it passes when its record is a
/// later version of the poll it names. Anything else is an alarm: the anchoring key can anchor any
/// leaf, and only the record says what the members decided.
/// </summary>
public static class ActionAudit
{
    /// <summary>The CID of the record whose sha2-256 is <paramref name="digest"/>: records are single raw blocks, so the digest names its CID.</summary>
    public static Cid RecordCid(Hash32 digest) => Cid.V1(Multicodec.Raw, Multihash.Create(Multihash.Sha2_256, digest.Bytes));

    /// <summary>The kind named by the on-chain constant <paramref name="kind"/>, or null when no action block can order it.</summary>
    public static GovernanceActionKind? KindOf(Hash32 kind) =>
        Enum.GetValues<GovernanceActionKind>().Select(k => (GovernanceActionKind?)k).FirstOrDefault(k => k!.Value.OnChainKind() == kind);

    /// <summary>Audits <paramref name="action"/> against <paramref name="record"/> (null: the record could not be found).</summary>
    /// <param name="action">The scheduled action.</param>
    /// <param name="record">The record's bytes, already verified against its CID; null when no content source has it.</param>
    /// <param name="targets">The cooperative's contracts (from its trusted deployment).</param>
    public static AuditResult Check(ScheduledActionEvent action, byte[]? record, GovernanceTargets targets)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(targets);
        if (KindOf(action.Kind) is not { } kind) return Alarm($"kind {action.Kind} is not one a decision record can order (admit-member, revoke-member, amend-parameter, set-anchorer, set-issuer)");
        if (action.Target != targets.For(kind)) return Alarm($"{kind.Name()} at {action.Target}, which is not the cooperative's {TargetName(kind)} {targets.For(kind)}");
        var what = Describe(kind, action.Params);
        var cid = RecordCid(action.DecisionDigest);
        if (record is null) return Alarm($"{what}: its decision record {cid} is not published (no content source has it)");

        string pollKey, state, schema;
        ulong version;
        JsonNode? outcome;
        try
        {
            var json = JsonNode.Parse(record) as JsonObject ?? throw new FormatException("not a JSON object");
            schema = json["schema"]?.GetValue<string>() ?? "";
            pollKey = json["source"]?["pollKey"]?.GetValue<string>() ?? throw new FormatException("no source.pollKey");
            version = json["version"]?.GetValue<ulong>() ?? throw new FormatException("no version");
            state = json["state"]?.GetValue<string>() ?? throw new FormatException("no state");
            outcome = json["outcome"];
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return Alarm($"{what}: {cid} is not a decision record ({ex.Message})");
        }

        if (schema != "iskander.decision/1") return Alarm($"{what}: {cid} is not an iskander.decision/1 record (schema '{schema}')");
        var ordered = $"poll {pollKey} v{version.ToString(CultureInfo.InvariantCulture)}";
        if (ActionLeaf.PollId(pollKey) != action.Poll) return Alarm($"{what}: the action names poll {action.Poll}, its record {cid} is of poll {pollKey}", pollKey);
        if (version != action.Version) return Alarm($"{what}: the action names version {action.Version} of poll {pollKey}, its record {cid} is version {version}", pollKey);
        if (kind == GovernanceActionKind.SupersedeVersions)
        {
            // It only stops what earlier versions ordered; it can run nothing itself.
            if (action.Params.Length != 0) return Alarm($"{what}: a supersession marker carries no parameters", pollKey);
            return version > 1 ? new AuditResult(true, $"{what}: {ordered} ({state}) supersedes the poll's earlier versions ({cid})", pollKey)
                : Alarm($"{what}: {ordered} is the poll's first version, there is nothing to supersede", pollKey);
        }

        if (state is not ("decided" or "outcome_revised")) return Alarm($"{what}: {ordered} is '{state}', a state that orders no action", pollKey);

        var block = ActionBlock.Parse(outcome?["statement"]?.GetValue<string>(), outcome?["statementFormat"]?.GetValue<string>());
        if (!block.Present) return Alarm($"{what}: the outcome of {ordered} has no action block", pollKey);
        if (block.Errors.Count > 0) return Alarm($"{what}: the action block of {ordered} is void ({string.Join("; ", block.Errors)})", pollKey);
        if (block.Actions.Any(a => Orders(a, action, targets)))
        {
            return new AuditResult(true, $"{what}, ordered by {ordered} ({cid})", pollKey);
        }

        return Alarm($"{what}: the action block of {ordered} does not order it (it orders: {string.Join("; ", block.Actions.Select(a => a.Key))})", pollKey);
    }

    // The same identity and leaf as the record's action gives: kind, target, parameters, digest, poll and version.
    // A revocation's token is not in the record (the bridge binds the member's token when anchoring), so it is
    // taken from the action; CoopIdentity revokes only the token's own holder, so another token can never run.
    private static bool Orders(GovernanceAction ordered, ScheduledActionEvent action, GovernanceTargets targets)
    {
        if (ordered.Kind.OnChainKind() != action.Kind) return false;
        byte[] parameters;
        try
        {
            BigInteger? tokenId = ordered.Kind == GovernanceActionKind.RevokeMember ? (BigInteger)AbiCodec.Decode([AbiType.Parse("address"), AbiType.Parse("uint256")], action.Params)[1]! : null;
            parameters = ActionLeaf.Params(ordered, tokenId);
        }
        catch (AbiException)
        {
            return false;
        }

        var id = ActionLeaf.Id(targets.ChainId, targets.For(ordered.Kind), ordered.Kind, parameters, action.DecisionDigest);
        return id == action.ActionId && parameters.AsSpan().SequenceEqual(action.Params) && ActionLeaf.Compute(id, action.Poll, action.Version) == action.Leaf;
    }

    /// <summary>The action in words, from its parameters (or their bytes when they do not decode).</summary>
    public static string Describe(GovernanceActionKind kind, byte[] parameters)
    {
        try
        {
            if (kind == GovernanceActionKind.SupersedeVersions) return parameters.Length == 0 ? kind.Name() : $"{kind.Name()} with parameters {Hex.Encode(parameters)}";
            string[] types = kind switch
            {
                GovernanceActionKind.AdmitMember => ["address", "bytes32"],
                GovernanceActionKind.RevokeMember => ["address", "uint256"],
                GovernanceActionKind.SetAnchorer or GovernanceActionKind.SetIssuer => ["address"],
                _ => ["bytes32", "uint256"],
            };
            var values = AbiCodec.Decode(types.Select(AbiType.Parse).ToList(), parameters);
            return kind switch
            {
                GovernanceActionKind.AdmitMember => $"admit-member {((Address)values[0]!).ToChecksumString()} role={GovernanceAction.FromShortText((byte[])values[1]!)}",
                GovernanceActionKind.RevokeMember => $"revoke-member {((Address)values[0]!).ToChecksumString()} (token 0x{((BigInteger)values[1]!).ToString("x", CultureInfo.InvariantCulture).TrimStart('0')})",
                GovernanceActionKind.SetAnchorer or GovernanceActionKind.SetIssuer => $"{kind.Name()} {((Address)values[0]!).ToChecksumString()}",
                _ => $"amend-parameter {GovernanceAction.FromShortText((byte[])values[0]!)} {((BigInteger)values[1]!).ToString(CultureInfo.InvariantCulture)}",
            };
        }
        catch (AbiException)
        {
            return $"{kind.Name()} with undecodable parameters {Hex.Encode(parameters)}";
        }
    }

    private static AuditResult Alarm(string detail, string? pollKey = null) => new(false, detail, pollKey);

    private static string TargetName(GovernanceActionKind kind) => kind switch
    {
        GovernanceActionKind.AmendParameter => "Constitution",
        GovernanceActionKind.SupersedeVersions or GovernanceActionKind.SetAnchorer => "ActionSchedule",
        _ => "CoopIdentity",
    };
}
