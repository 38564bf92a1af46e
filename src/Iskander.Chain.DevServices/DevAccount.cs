namespace Iskander.Chain.DevServices;

/// <summary>A funded development account of a local anvil node. Its key is public knowledge:
/// never use it outside a local development chain.</summary>
/// <param name="Address">The account address (lower-case hex with 0x).</param>
/// <param name="PrivateKey">The account's private key (hex with 0x).</param>
public sealed record DevAccount(string Address, string PrivateKey)
{
    /// <summary>Shows the address only, so that keys never reach logs by accident.</summary>
    public override string ToString() => Address;
}
