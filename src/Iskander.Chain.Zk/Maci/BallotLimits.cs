using System.Numerics;

namespace Iskander.Chain.Zk.Maci;

/// <summary>
/// The settings a secret ballot may have: what the circuits can prove and the coordinator can run.
/// Mirrors <c>contracts/src/ballots/BallotLimits.sol</c>, which MACIVoting enforces at deployment
/// (a test compares both through the contract's <c>limits()</c>); the circuits' command fields are
/// <see cref="CommandFieldBits"/> wide.
/// </summary>
public static class BallotLimits
{
    /// <summary>Width of each packed command field (state index, option, weight, nonce, poll id).</summary>
    public const int CommandFieldBits = 50;

    /// <summary>Largest state tree depth (the tally proves every ballot at once).</summary>
    public const int MaxStateTreeDepth = 10;

    /// <summary>Largest batch of messages per processing proof.</summary>
    public const int MaxBatchSize = 64;

    /// <summary>Largest vote option tree depth (125 options).</summary>
    public const int MaxVoteOptionTreeDepth = 3;

    /// <summary>Largest value of a command field, and so of a poll id and a vote weight.</summary>
    public const ulong MaxCommandField = (1UL << CommandFieldBits) - 1;

    /// <summary>Largest initial credit balance (a vote weight is a command field).</summary>
    public const ulong MaxInitialCredits = MaxCommandField;

    /// <summary>Throws when a ballot's settings are outside the limits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting out of range, named.</exception>
    public static void Check(BallotCircuitParameters parameters, int voteOptions, BigInteger pollId, BigInteger initialCredits)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Require(parameters.StateTreeDepth is >= 1 and <= MaxStateTreeDepth, "stateTreeDepth", $"1 to {MaxStateTreeDepth}");
        Require(parameters.BatchSize is >= 1 and <= MaxBatchSize, "batchSize", $"1 to {MaxBatchSize}");
        Require(parameters.VoteOptionTreeDepth is >= 1 and <= MaxVoteOptionTreeDepth, "voteOptionTreeDepth", $"1 to {MaxVoteOptionTreeDepth}");
        Require(parameters.TallyBatchDepth >= 1 && parameters.TallyBatchDepth <= parameters.StateTreeDepth, "tallyBatchDepth", "1 to the state tree depth");
        Require(voteOptions >= 1 && voteOptions <= parameters.MaxVoteOptions, nameof(voteOptions), $"1 to {parameters.MaxVoteOptions} options");
        Require(pollId >= 0 && pollId <= MaxCommandField, nameof(pollId), $"at most {MaxCommandField}");
        Require(initialCredits >= 0 && initialCredits <= MaxInitialCredits, nameof(initialCredits), $"at most {MaxInitialCredits}");
    }

    private static void Require(bool condition, string name, string range)
    {
        if (!condition) throw new ArgumentOutOfRangeException(name, $"{name} must be {range}");
    }
}
