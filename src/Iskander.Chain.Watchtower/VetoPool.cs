using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;

namespace Iskander.Chain.Watchtower;

/// <summary>
/// Where members' veto signatures meet: a folder the members share (a synced or network folder, or
/// one copied between them), one subfolder per action, one file per signer holding the 65-byte
/// signature as hex. Nothing in it is trusted: every signature is recovered against the veto's
/// EIP-712 digest and the signer's membership is asked of the chain, so anyone may write here and
/// the worst a stranger can do is add files that are ignored. Signatures are not secret: each one
/// only vetoes its own action on its own chain and contract.
/// </summary>
public sealed class VetoPool(string directory)
{
    /// <summary>The shared folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>Adds <paramref name="signer"/>'s <paramref name="signature"/> for <paramref name="actionId"/> (atomically: a temporary file renamed into place).</summary>
    public async Task PublishAsync(Hash32 actionId, Address signer, byte[] signature, CancellationToken cancellationToken = default)
    {
        var folder = System.IO.Directory.CreateDirectory(Path.Combine(Directory, actionId.ToString())).FullName;
        var target = Path.Combine(folder, signer.ToString().ToLowerInvariant() + ".sig");
        var temporary = target + $".{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporary, Hex.Encode(signature) + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporary, target, overwrite: true);
    }

    /// <summary>The signatures for <paramref name="actionId"/> that recover, over <paramref name="veto"/>'s digest, to distinct signers; by signer, in ascending address order (as the schedule wants them).</summary>
    public async Task<IReadOnlyList<(Address Signer, byte[] Signature)>> CollectAsync(Hash32 actionId, TypedData veto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(veto);
        var folder = Path.Combine(Directory, actionId.ToString());
        if (!System.IO.Directory.Exists(folder)) return [];
        var digest = veto.Digest();
        var found = new SortedDictionary<string, (Address, byte[])>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*.sig"))
        {
            try
            {
                var signature = Hex.Decode((await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim());
                var signer = Secp256k1.RecoverAddress(digest.Bytes, EcdsaSignature.FromBytes65(signature));
                // Ascending by the address's 20 bytes: lower-case hex sorts the same way.
                found.TryAdd(signer.ToString().ToLowerInvariant(), (signer, signature));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidSignatureException or InvalidOperationException or IOException)
            {
                // Not a signature over this veto: ignored (anyone can write to the pool).
            }
        }

        return found.Values.ToList();
    }
}
