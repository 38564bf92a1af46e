using System.Numerics;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Rlp;

namespace Iskander.Chain.Ethereum.Transactions;

/// <summary>
/// Encodes, hashes, signs and strictly decodes legacy (EIP-155), EIP-2930 and EIP-1559 transactions.
/// Each type's field order is written once (<see cref="EmitFields{TSink}"/>) and run twice: to size
/// the buffer, then to fill it.
/// </summary>
public static class TransactionCodec
{
    /// <summary>The payload whose keccak256 is signed.</summary>
    public static byte[] EncodeForSigning(Transaction transaction) => Encode(transaction, signature: null);

    /// <summary>The hash a sender signs.</summary>
    public static Hash32 SigningHash(Transaction transaction) => Hash32.Keccak(EncodeForSigning(transaction));

    /// <summary>Signs <paramref name="transaction"/> with <paramref name="key"/>.</summary>
    public static SignedTransaction Sign(Transaction transaction, PrivateKey key)
    {
        Validate(transaction);
        var signature = key.Sign(SigningHash(transaction).Bytes);
        return new SignedTransaction(transaction, signature, Encode(transaction, signature));
    }

    /// <summary>Attaches an existing signature (for instance from an external signer).</summary>
    public static SignedTransaction WithSignature(Transaction transaction, EcdsaSignature signature)
    {
        Validate(transaction);
        if (signature.RecoveryId > 1) throw new ArgumentException("transaction signatures have recovery id 0 or 1", nameof(signature));
        return new SignedTransaction(transaction, signature, Encode(transaction, signature));
    }

    /// <summary>Decodes a signed transaction in network encoding.</summary>
    /// <exception cref="RlpException">Not a canonical encoding of a supported transaction type.</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty) throw new RlpException("empty transaction");
        var type = encoded[0] switch
        {
            >= 0xc0 => TransactionType.Legacy,
            1 => TransactionType.AccessList,
            2 => TransactionType.DynamicFee,
            var other => throw new RlpException($"unsupported transaction type 0x{other:x2}"),
        };
        var outer = new RlpReader(type == TransactionType.Legacy ? encoded : encoded[1..]);
        var fields = outer.ReadList();
        outer.EnsureAtEnd();

        ulong? chainId = type == TransactionType.Legacy ? null : fields.ReadUInt64();
        var nonce = fields.ReadUInt64();
        BigInteger gasPrice = default, maxPriority = default, maxFee = default;
        if (type == TransactionType.DynamicFee)
        {
            maxPriority = fields.ReadInteger();
            maxFee = fields.ReadInteger();
        }
        else
        {
            gasPrice = fields.ReadInteger();
        }

        var gasLimit = fields.ReadUInt64();
        var toBytes = fields.ReadBytes();
        Address? to = toBytes.Length switch
        {
            0 => null,
            Address.Size => new Address(toBytes),
            _ => throw new RlpException($"recipient must be empty or 20 bytes, not {toBytes.Length}"),
        };
        var value = fields.ReadInteger();
        var data = fields.ReadBytes().ToArray();
        var accessList = type == TransactionType.Legacy ? [] : ReadAccessList(fields.ReadList());

        byte recoveryId;
        if (type == TransactionType.Legacy)
        {
            var v = fields.ReadInteger();
            (chainId, recoveryId) = v switch
            {
                _ when v == 27 || v == 28 => ((ulong?)null, (byte)(v - 27)),
                _ when v >= 35 && (v - 35) / 2 <= ulong.MaxValue => ((ulong?)(ulong)((v - 35) / 2), (byte)((v - 35) % 2)),
                _ => throw new RlpException($"legacy signature v = {v} is neither 27/28 nor EIP-155"),
            };
        }
        else
        {
            var parity = fields.ReadUInt64();
            recoveryId = parity <= 1 ? (byte)parity : throw new RlpException($"signature y-parity must be 0 or 1, not {parity}");
        }

        var r = fields.ReadInteger();
        var s = fields.ReadInteger();
        fields.EnsureAtEnd();

        var transaction = new Transaction
        {
            Type = type,
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            MaxPriorityFeePerGas = maxPriority,
            MaxFeePerGas = maxFee,
            GasLimit = gasLimit,
            To = to,
            Value = value,
            Data = data,
            AccessList = accessList,
        };
        return new SignedTransaction(transaction, new EcdsaSignature(r, s, recoveryId), encoded.ToArray());
    }

    private static byte[] Encode(Transaction transaction, EcdsaSignature? signature)
    {
        var counter = new RlpLengthCounter();
        EmitFields(ref counter, transaction, signature);
        var prefix = transaction.Type == TransactionType.Legacy ? 0 : 1;
        var buffer = new byte[prefix + RlpLength.OfList(counter.Length)];
        if (prefix == 1) buffer[0] = (byte)transaction.Type;
        var writer = new RlpWriter(buffer.AsSpan(prefix));
        writer.WriteListHeader(counter.Length);
        EmitFields(ref writer, transaction, signature);
        writer.Complete();
        return buffer;
    }

    private static void EmitFields<TSink>(ref TSink sink, Transaction tx, EcdsaSignature? signature)
        where TSink : IRlpSink, allows ref struct
    {
        if (tx.Type != TransactionType.Legacy) sink.WriteUInt64(tx.ChainId!.Value);
        sink.WriteUInt64(tx.Nonce);
        if (tx.Type == TransactionType.DynamicFee)
        {
            sink.WriteInteger(tx.MaxPriorityFeePerGas);
            sink.WriteInteger(tx.MaxFeePerGas);
        }
        else
        {
            sink.WriteInteger(tx.GasPrice);
        }

        sink.WriteUInt64(tx.GasLimit);
        sink.WriteBytes(tx.To is { } to ? to.Bytes : []);
        sink.WriteInteger(tx.Value);
        sink.WriteBytes(tx.Data);
        if (tx.Type != TransactionType.Legacy) EmitAccessList(ref sink, tx.AccessList);

        if (signature is { } sig)
        {
            if (tx.Type == TransactionType.Legacy)
            {
                sink.WriteInteger(tx.ChainId is { } chainId ? new BigInteger(chainId) * 2 + 35 + sig.RecoveryId : 27 + sig.RecoveryId);
            }
            else
            {
                sink.WriteUInt64(sig.RecoveryId);
            }

            sink.WriteInteger(sig.R);
            sink.WriteInteger(sig.S);
        }
        else if (tx.Type == TransactionType.Legacy && tx.ChainId is { } chainId)
        {
            // EIP-155 signing payload: chain id, 0, 0 in place of v, r, s.
            sink.WriteUInt64(chainId);
            sink.WriteUInt64(0);
            sink.WriteUInt64(0);
        }
    }

    private static void EmitAccessList<TSink>(ref TSink sink, IReadOnlyList<AccessListEntry> accessList)
        where TSink : IRlpSink, allows ref struct
    {
        var listContent = 0;
        foreach (var entry in accessList) listContent += RlpLength.OfList(EntryContentLength(entry));
        sink.WriteListHeader(listContent);
        foreach (var entry in accessList)
        {
            sink.WriteListHeader(EntryContentLength(entry));
            sink.WriteBytes(entry.Address.Bytes);
            sink.WriteListHeader(entry.StorageKeys.Count * 33);
            foreach (var key in entry.StorageKeys) sink.WriteBytes(key.Bytes);
        }
    }

    // An entry is [address (1 + 20 bytes), [key (1 + 32 bytes) …]].
    private static int EntryContentLength(AccessListEntry entry) => 21 + RlpLength.OfList(entry.StorageKeys.Count * 33);

    private static List<AccessListEntry> ReadAccessList(RlpReader list)
    {
        var entries = new List<AccessListEntry>();
        while (!list.IsAtEnd)
        {
            var entry = list.ReadList();
            var address = new Address(entry.ReadFixedBytes(Address.Size));
            var keysReader = entry.ReadList();
            var keys = new List<Hash32>();
            while (!keysReader.IsAtEnd) keys.Add(new Hash32(keysReader.ReadFixedBytes(Hash32.Size)));
            entry.EnsureAtEnd();
            entries.Add(new AccessListEntry(address, keys));
        }

        return entries;
    }

    private static void Validate(Transaction tx)
    {
        if (tx.Type != TransactionType.Legacy && tx.ChainId is null) throw new ArgumentException($"{tx.Type} transactions need a chain id");
        if (tx.Type == TransactionType.Legacy && tx.AccessList.Count > 0) throw new ArgumentException("legacy transactions have no access list");
        if (tx.Type == TransactionType.DynamicFee && !tx.GasPrice.IsZero) throw new ArgumentException("EIP-1559 transactions use MaxFeePerGas, not GasPrice");
        if (tx.MaxPriorityFeePerGas > tx.MaxFeePerGas) throw new ArgumentException("MaxPriorityFeePerGas cannot exceed MaxFeePerGas (EIP-1559)");
        if (tx.Type != TransactionType.DynamicFee && (!tx.MaxFeePerGas.IsZero || !tx.MaxPriorityFeePerGas.IsZero))
        {
            throw new ArgumentException($"{tx.Type} transactions use GasPrice, not EIP-1559 fees");
        }

        foreach (var amount in new[] { tx.GasPrice, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, tx.Value })
        {
            if (amount.Sign < 0 || amount.GetByteCount(isUnsigned: true) > 32) throw new ArgumentException("amounts are unsigned 256-bit integers");
        }
    }
}
