using System.Numerics;
using System.Text;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Transactions;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>The client against a real anvil node and a forge-built contract.</summary>
public sealed class AnvilClientTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly TimeSpan Mined = TimeSpan.FromSeconds(30);

    private EthClient Client() => new(new JsonRpcClient(anvil.Node.RpcUrl));

    private PrivateKey DevKey(int index) => PrivateKey.FromHex(anvil.Node.Accounts[index].PrivateKey);

    private async Task<Contract> DeployProbeAsync(TransactionSender sender)
    {
        var artifact = ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), "AbiProbe.sol", "AbiProbe");
        return await Contract.DeployAsync(sender, artifact, []);
    }

    [Fact]
    public async Task Structs_arrays_strings_bytes_and_indexed_dynamic_event_parameters_round_trip_through_a_contract()
    {
        var client = Client();
        var sender = new TransactionSender(client, new LocalSigner(DevKey(1)));
        var probe = await DeployProbeAsync(sender);

        var account = Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
        var roles = new object[] { Keccak256.Hash("steward"u8), Keccak256.Hash("founder"u8) };
        var member = new object?[] { account, "Ada Lovelace ✓", roles };
        var note = Encoding.UTF8.GetBytes("admitted by decision 42");
        var receipt = await probe.SendAsync("add", [member, note]);

        Assert.True(receipt.Succeeded);
        var added = Assert.Single(probe.DecodeEvents(receipt));
        Assert.Equal("MemberAdded", added.Event.Name);
        Assert.Equal(Hash32.Keccak(Encoding.UTF8.GetBytes("Ada Lovelace ✓")), added["name"]);
        Assert.Equal(account, added["account"]);
        Assert.Equal(note, added["note"]);
        var emitted = (object?[])added["member"]!;
        Assert.Equal("Ada Lovelace ✓", emitted[1]);
        Assert.Equal(roles.Cast<byte[]>(), ((object?[])emitted[2]!).Cast<byte[]>());

        var stored = (object?[])(await probe.CallAsync("get", [BigInteger.Zero]))[0]!;
        Assert.Equal(account, stored[0]);
        var all = (object?[])(await probe.CallAsync("all", []))[0]!;
        Assert.Single(all);

        var echoed = await probe.CallAsync("echo", [new object[] { 1, 2, 255 }, BigInteger.MinusOne * BigInteger.Pow(2, 200), new byte[] { 0, 1, 2 }, "ünïcødé"]);
        Assert.Equal(new object[] { new BigInteger(1), new BigInteger(2), new BigInteger(255) }, (object?[])echoed[0]!);
        Assert.Equal(BigInteger.MinusOne * BigInteger.Pow(2, 200), echoed[1]);
        Assert.Equal("ünïcødé", echoed[3]);
    }

    [Fact]
    public async Task Reverts_decode_into_custom_errors_panics_and_reason_strings()
    {
        var client = Client();
        var sender = new TransactionSender(client, new LocalSigner(DevKey(2)));
        var probe = await DeployProbeAsync(sender);

        var custom = await Assert.ThrowsAsync<ContractRevertException>(() => probe.CallAsync("fail", [new BigInteger(2)], from: sender.Account));
        Assert.Equal("NotAllowed", custom.ErrorName);
        Assert.Equal(sender.Account, custom.Revert.Arguments[0]);
        Assert.Equal("custom", custom.Revert.Arguments[1]);

        var reason = await Assert.ThrowsAsync<ContractRevertException>(() => probe.CallAsync("fail", [BigInteger.Zero]));
        Assert.Equal("Error(\"plain reason\")", reason.Revert.ToString());

        var panic = await Assert.ThrowsAsync<ContractRevertException>(() => probe.CallAsync("fail", [BigInteger.One]));
        Assert.Equal("Panic(1)", panic.Revert.ToString());

        // A transaction that would revert is caught by its gas estimate, with the same decoding.
        var send = await Assert.ThrowsAsync<ContractRevertException>(() => probe.SendAsync("add", [new object?[] { Address.Zero, "", Array.Empty<object>() }, Array.Empty<byte>()]));
        Assert.Equal("NotAllowed", send.ErrorName);
        Assert.Equal("empty name", send.Revert.Arguments[1]);
    }

    [Theory]
    [InlineData(TransactionType.Legacy)]
    [InlineData(TransactionType.AccessList)]
    [InlineData(TransactionType.DynamicFee)]
    public async Task Each_transaction_type_signed_here_is_mined_by_anvil(TransactionType type)
    {
        var client = Client();
        var key = DevKey(3 + (int)type);
        var recipient = PrivateKey.Generate().Address;
        var nonce = await client.GetTransactionCountAsync(key.Address);
        var gasPrice = await client.GasPriceAsync();
        var transaction = new Transaction
        {
            Type = type,
            ChainId = 31337,
            Nonce = nonce,
            GasPrice = type == TransactionType.DynamicFee ? 0 : gasPrice * 2,
            MaxFeePerGas = type == TransactionType.DynamicFee ? gasPrice * 2 : 0,
            MaxPriorityFeePerGas = type == TransactionType.DynamicFee ? 1 : 0,
            GasLimit = 60_000,
            To = recipient,
            Value = 12345,
            AccessList = type == TransactionType.Legacy ? [] : [new AccessListEntry(recipient, [new Hash32(new byte[32])])],
        };
        var signed = TransactionCodec.Sign(transaction, key);

        Assert.Equal(signed.Hash, await client.SendRawTransactionAsync(signed.Encoded));
        var receipt = await ReceiptWaiter.WaitAsync(client, signed.Hash, Mined);
        Assert.True(receipt.Succeeded);
        Assert.Equal(key.Address, receipt.From);
        Assert.Equal(new BigInteger(12345), await client.GetBalanceAsync(recipient));
    }

    [Fact]
    public async Task Fifty_concurrent_sends_from_one_account_mine_with_consecutive_nonces()
    {
        var client = Client();
        var sender = new TransactionSender(client, new LocalSigner(DevKey(6)));
        var first = await client.GetTransactionCountAsync(sender.Account);
        var sends = Enumerable.Range(0, 50).Select(i => sender.SendAsync(new TransactionRequest { To = Address.Zero, Value = i + 1, GasLimit = 21_000 }));
        var signed = await Task.WhenAll(sends);

        var receipts = await Task.WhenAll(signed.Select(s => sender.WaitForReceiptAsync(s.Hash, Mined)));
        Assert.All(receipts, r => Assert.True(r.Succeeded));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => first + (ulong)i), signed.Select(s => s.Transaction.Nonce).Order());
        Assert.Equal(first + 50, await client.GetTransactionCountAsync(sender.Account, "latest"));
    }

    [Fact]
    public async Task A_stuck_transaction_is_replaced_with_the_same_nonce_and_higher_fees()
    {
        await using var node = await DevServices.AnvilNode.StartAsync(TestToolchain.Create(), new DevServices.AnvilOptions { Automine = false });
        var client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var sender = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(node.Accounts[0].PrivateKey)));
        var stuck = await sender.SendAsync(new TransactionRequest { To = Address.Zero, Value = 1, GasLimit = 21_000 });
        var replacement = await sender.ReplaceAsync(stuck);

        Assert.Equal(stuck.Transaction.Nonce, replacement.Transaction.Nonce);
        Assert.True(replacement.Transaction.MaxFeePerGas > stuck.Transaction.MaxFeePerGas);
        await client.Rpc.CallAsync("evm_mine", []);
        var receipt = await sender.WaitForReceiptAsync(replacement.Hash, Mined);
        Assert.True(receipt.Succeeded);
        Assert.Null(await client.GetTransactionReceiptAsync(stuck.Hash));
    }

    [Fact]
    public async Task A_transaction_dropped_by_a_reorg_is_detected_and_resent()
    {
        await using var node = await DevServices.AnvilNode.StartAsync(TestToolchain.Create());
        var client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var sender = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(node.Accounts[0].PrivateKey)));
        var signed = await sender.SendAsync(new TransactionRequest { To = Address.Zero, Value = 7, GasLimit = 21_000 });
        var first = await sender.WaitForReceiptAsync(signed.Hash, Mined);

        await client.Rpc.CallAsync("anvil_reorg", [1, Array.Empty<object>()]);
        Assert.Null(await client.GetTransactionByHashAsync(signed.Hash));
        Assert.Null(await client.GetTransactionReceiptAsync(signed.Hash));

        await sender.ResendAsync(signed);
        var again = await sender.WaitForReceiptAsync(signed.Hash, Mined);
        Assert.True(again.Succeeded);
        Assert.NotEqual(first.BlockHash, again.BlockHash);
    }

    [Fact]
    public async Task Fee_suggestions_follow_the_base_fee_and_stay_under_the_cap()
    {
        var client = Client();
        var fees = await new FeeSuggester(client).SuggestAsync();
        var latest = await client.GetBlockByTagAsync("latest");
        Assert.True(fees.IsDynamic);
        Assert.True(fees.MaxFeePerGas >= latest!.BaseFeePerGas!.Value, $"{fees.MaxFeePerGas} < base fee {latest.BaseFeePerGas}");
        Assert.True(fees.MaxPriorityFeePerGas >= 1_000_000_000);

        var capped = await new FeeSuggester(client, new FeeOptions { MaxFeeCap = 5, MinPriorityFee = 100 }).SuggestAsync();
        Assert.Equal(new BigInteger(5), capped.MaxFeePerGas);
        Assert.True(capped.MaxPriorityFeePerGas <= capped.MaxFeePerGas);
    }

    [Fact]
    public async Task Nullable_answers_are_null_and_block_headers_link_by_parent_hash()
    {
        var client = Client();
        Assert.Null(await client.GetTransactionReceiptAsync(new Hash32(new byte[32])));
        Assert.Null(await client.GetBlockByNumberAsync(1_000_000_000));
        await client.Rpc.CallAsync("anvil_mine", ["0x2"]);
        var head = await client.BlockNumberAsync();
        var top = await client.GetBlockByNumberAsync(head);
        var parent = await client.GetBlockByNumberAsync(head - 1);
        Assert.Equal(parent!.Hash, top!.ParentHash);
        Assert.Equal(top, await client.GetBlockByHashAsync(top.Hash));
        Assert.Equal(31337UL, await client.ChainIdAsync());
    }

    [Fact]
    public async Task Batched_calls_return_results_in_request_order()
    {
        var client = Client();
        var results = await client.Rpc.BatchAsync([new JsonRpcRequest("eth_chainId"), new JsonRpcRequest("eth_blockNumber"), new JsonRpcRequest("net_version")]);
        Assert.Equal("0x7a69", results[0].GetString());
        Assert.StartsWith("0x", results[1].GetString(), StringComparison.Ordinal);
        Assert.Equal("31337", results[2].GetString());
    }
}
