using System.Globalization;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>The two proofs of a secret ballot.</summary>
public enum BallotCircuitKind
{
    /// <summary>One batch of messages applied to the state and ballots (<c>circuits/src/ballot/ProcessMessages.circom</c>).</summary>
    ProcessMessages,

    /// <summary>The tally of one batch of ballots, moving the running tally commitment on (<c>circuits/src/ballot/TallyVotes.circom</c>).</summary>
    TallyVotes,
}

/// <summary>A ballot circuit at one parameter set: its template, parameters and public inputs.</summary>
/// <param name="Kind">Which circuit.</param>
/// <param name="Parameters">Its shape.</param>
public sealed record BallotCircuit(BallotCircuitKind Kind, BallotCircuitParameters Parameters)
{
    /// <summary>Public inputs in the order the verifier takes them (the template's declaration order).</summary>
    public IReadOnlyList<string> PublicInputs => Kind == BallotCircuitKind.ProcessMessages
        ? ["totalSignups", "outputBatchHash", "coordinatorPublicKeyHash", "voteOptions", "currentSbCommitment", "newSbCommitment", "index", "batchEndIndex", "pollId"]
        : ["sbCommitment", "currentTallyCommitment", "newTallyCommitment", "batchIndex"];

    /// <summary>e.g. <c>ProcessMessages_3_2_1</c>.</summary>
    public string Name => Kind == BallotCircuitKind.ProcessMessages
        ? string.Create(CultureInfo.InvariantCulture, $"ProcessMessages_{Parameters.StateTreeDepth}_{Parameters.BatchSize}_{Parameters.VoteOptionTreeDepth}")
        : string.Create(CultureInfo.InvariantCulture, $"TallyVotes_{Parameters.StateTreeDepth}_{Parameters.TallyBatchDepth}_{Parameters.VoteOptionTreeDepth}");

    /// <summary>The Solidity verifier contract's name, e.g. <c>ProcessMessagesVerifier_3_2_1</c>.</summary>
    public string VerifierName => $"{Kind}Verifier{Name[Kind.ToString().Length..]}";

    /// <summary>The circom main component that instantiates the template with these parameters.</summary>
    public string MainSource()
    {
        var template = Kind == BallotCircuitKind.ProcessMessages
            ? string.Create(CultureInfo.InvariantCulture, $"ProcessMessages({Parameters.StateTreeDepth}, {Parameters.BatchSize}, {Parameters.VoteOptionTreeDepth})")
            : string.Create(CultureInfo.InvariantCulture, $"TallyVotes({Parameters.StateTreeDepth}, {Parameters.TallyBatchDepth}, {Parameters.VoteOptionTreeDepth})");
        return $$"""
            pragma circom 2.1.6;

            include "circuits/src/ballot/{{Kind}}.circom";

            component main {public [{{string.Join(", ", PublicInputs)}}]} = {{template}};

            """;
    }
}
