using System.Numerics;
using System.Security.Cryptography;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Contracts;

namespace Iskander.Chain.Testing;

/// <summary>The deployment's InterCoopEscrow with a mock token: buyer (dev account 3), seller (4) and arbitrator (5).</summary>
public sealed class EscrowParties
{
    private readonly CoopOnChain _coop;
    private readonly Contract _token;

    private EscrowParties(CoopOnChain coop, Contract escrow, Contract token)
    {
        _coop = coop;
        _token = token;
        Escrow = escrow;
    }

    public Contract Escrow { get; }

    public Address Buyer => _coop.Key(3).Address;

    public Contract AsBuyer => Escrow.WithSender(_coop.Sender(3));

    public Contract AsSeller => Escrow.WithSender(_coop.Sender(4));

    public Contract AsArbitrator => Escrow.WithSender(_coop.Sender(5));

    public static async Task<EscrowParties> StartAsync(CoopOnChain coop)
    {
        var abi = new CoopDeployer(TestToolchain.Runner()).Artifact(coop.Manifest, "InterCoopEscrow").Abi;
        var token = await Contract.DeployAsync(coop.Sender(3), ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), "Tokens.sol", "MockToken"), []);
        var escrow = new Contract(coop.Client, coop.Manifest["InterCoopEscrow"].Address, abi);
        await token.SendAsync("mint", [coop.Key(3).Address, BigInteger.Pow(10, 24)]);
        await token.SendAsync("approve", [escrow.Address, BigInteger.Pow(10, 24)]);
        return new EscrowParties(coop, escrow, token);
    }

    /// <summary>The buyer proposes an escrow of <paramref name="amount"/> (a month to expiry, a day to arbitrate, half to the seller by default); returns its id.</summary>
    public async Task<BigInteger> ProposeAsync(long amount)
    {
        var head = await _coop.Client.GetBlockByNumberAsync(await _coop.Client.BlockNumberAsync());
        object?[] terms =
        [
            Buyer, _coop.Key(4).Address, _coop.Key(5).Address, _token.Address, new BigInteger(amount), head!.Timestamp + 30 * 86_400UL, 86_400UL, (ushort)5_000,
            RandomNumberGenerator.GetBytes(32), Address.Zero,
        ];
        await AsBuyer.SendAsync("propose", [terms]);
        return await Escrow.CallAsync<BigInteger>("escrowCount");
    }
}
