namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>Input is not canonical RLP, or not the shape the decoder expects.</summary>
public sealed class RlpException(string message) : FormatException(message);
