using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Maci;

/// <summary>Constants of the MACI protocol (PSE MACI 3.0).</summary>
public static class MaciConstants
{
    /// <summary>keccak256("Maci") mod p: the start of the message chain and of the batch hashes.</summary>
    public static readonly Fr NothingUpMySleeve = Fr.Parse("8370432830353022751713833565135785980866757267633941821328460903436894336785");

    /// <summary>
    /// The padding key: the first Pedersen base point of circomlib, found by hashing to the curve,
    /// so nobody knows its private key. Blank state leaves and the placeholder message use it.
    /// </summary>
    public static readonly BabyJubJubPoint PadKey = new(
        Fr.Parse("10457101036533406547632367118273992217979173478358440826365724437999023779287"),
        Fr.Parse("19824078218392094440610104313265183977899662750282163392862422243483260492317"));
}
