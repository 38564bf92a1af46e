namespace Iskander.Chain.Ethereum.Abi;

/// <summary>ABI data or a type description is malformed, or a value does not fit its type.</summary>
public sealed class AbiException(string message) : FormatException(message);
