using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Eip712;

namespace Iskander.Chain.Governance;

/// <summary>A member's veto of a scheduled action (docs/formats.md, "Veto signature and veto pool").</summary>
public static class VetoSignature
{
    /// <summary>
    /// The EIP-712 veto of <paramref name="actionId"/>: <c>Veto(bytes32 action)</c> in the domain
    /// ActionSchedule, version 1, <paramref name="chainId"/> and <paramref name="schedule"/>. Built from the
    /// trusted deployment, never asked of a node, so that a hostile node cannot make a member sign something else.
    /// </summary>
    public static TypedData TypedData(ulong chainId, Address schedule, Hash32 actionId) => Ethereum.Eip712.TypedData.Parse(new JsonObject
    {
        ["types"] = new JsonObject
        {
            ["EIP712Domain"] = Fields(("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")),
            ["Veto"] = Fields(("action", "bytes32")),
        },
        ["primaryType"] = "Veto",
        ["domain"] = new JsonObject { ["name"] = "ActionSchedule", ["version"] = "1", ["chainId"] = chainId.ToString(CultureInfo.InvariantCulture), ["verifyingContract"] = schedule.ToChecksumString() },
        ["message"] = new JsonObject { ["action"] = actionId.ToString() },
    }.ToJsonString());

    private static JsonArray Fields(params (string Name, string Type)[] fields) =>
        new(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());
}
