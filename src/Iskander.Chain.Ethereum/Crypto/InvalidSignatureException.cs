namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>A signature is malformed, malleable (high s) or does not recover to a public key.</summary>
public sealed class InvalidSignatureException(string message) : Exception(message);
