namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// A snarkjs proving key (.zkey) or witness (.wtns) that cannot be used: truncated, corrupted, of
/// another curve or protocol, or not matching the other file. The message names the file and the
/// section at fault.
/// </summary>
public sealed class ProvingFileException(string message, Exception? inner = null) : FormatException(message, inner);
