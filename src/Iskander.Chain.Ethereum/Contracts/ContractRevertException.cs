using Iskander.Chain.Ethereum.Abi;

namespace Iskander.Chain.Ethereum.Contracts;

/// <summary>A contract call or transaction reverted; <see cref="Revert"/> says with which error.</summary>
public sealed class ContractRevertException(string operation, DecodedRevert revert, Exception? inner = null)
    : Exception($"{operation} reverted: {revert}", inner)
{
    /// <summary>The decoded revert (error and arguments), or the raw data when no known error matched.</summary>
    public DecodedRevert Revert { get; } = revert;

    /// <summary>The name of the error, e.g. <c>UnknownBatch</c>, or null.</summary>
    public string? ErrorName => Revert.Error?.Name;
}
