using System.Numerics;
using BenchmarkDotNet.Attributes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;

namespace Iskander.Chain.Bench;

/// <summary>
/// Our ABI and log decoding next to Nethereum's (the other .NET stack), same inputs, same process.
/// Rows come in pairs: "ours: X" and "Nethereum: X".
/// </summary>
[MemoryDiagnoser]
public class NethereumBenchmarks
{
    private const string CallRow = "ABI decode call arguments (tuple with array and string, bytes32)";
    private const string LogRow = "log decode (2 indexed topics; uint256, string, address[] in data)";

    private static readonly AbiEvent Anchored = new("VersionAnchored",
    [
        new AbiParameter("root", AbiType.Parse("bytes32"), Indexed: true),
        new AbiParameter("batchId", AbiType.Parse("uint64"), Indexed: true),
        new AbiParameter("leafCount", AbiType.Parse("uint256")),
        new AbiParameter("cid", AbiType.Parse("string")),
        new AbiParameter("signers", AbiType.Parse("address[]")),
    ]);

    private readonly byte[] _arguments = EthereumInputs.Submit.EncodeCall(EthereumInputs.SubmitArguments)[4..];
    private readonly Parameter[] _nethereumInputs;
    private readonly string[] _topics;
    private readonly string _data;
    private readonly EventABI _nethereumEvent;

    /// <summary>Builds the Nethereum descriptions from the same JSON ABI our side describes in code.</summary>
    public NethereumBenchmarks()
    {
        var abi = new ABIJsonDeserialiser().DeserialiseContract("""
            [{"type":"function","name":"submit","stateMutability":"nonpayable","outputs":[],"inputs":[
               {"name":"ballot","type":"tuple","components":[{"name":"id","type":"uint256"},{"name":"voters","type":"address[]"},{"name":"title","type":"string"}]},
               {"name":"root","type":"bytes32"}]},
             {"type":"event","name":"VersionAnchored","anonymous":false,"inputs":[
               {"name":"root","type":"bytes32","indexed":true},{"name":"batchId","type":"uint64","indexed":true},
               {"name":"leafCount","type":"uint256","indexed":false},{"name":"cid","type":"string","indexed":false},
               {"name":"signers","type":"address[]","indexed":false}]}]
            """);
        _nethereumInputs = abi.Functions.Single().InputParameters;
        _nethereumEvent = abi.Events.Single();
        _topics = [Anchored.Topic0.ToString(), new Hash32(EthereumInputs.Bytes32).ToString(), new Hash32(AbiCodec.Encode(["uint64"], [1234UL])).ToString()];
        _data = Hex.Encode(AbiCodec.Encode(["uint256", "string", "address[]"],
            [new BigInteger(512), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", ((object?[])EthereumInputs.SubmitArguments[0]!)[1]]));
    }

    [Benchmark(Description = "ours: " + CallRow)]
    public object?[] OurCall() => AbiCodec.Decode(EthereumInputs.Submit.InputTypes, _arguments);

    [Benchmark(Description = "Nethereum: " + CallRow)]
    public List<ParameterOutput> NethereumCall() => new ParameterDecoder().DecodeDefaultData(_arguments, _nethereumInputs);

    // Both sides start from the hex text a JSON-RPC log carries.
    [Benchmark(Description = "ours: " + LogRow)]
    public DecodedEvent OurLog() => Anchored.Decode([Hash32.Parse(_topics[0]), Hash32.Parse(_topics[1]), Hash32.Parse(_topics[2])], Hex.Decode(_data));

    [Benchmark(Description = "Nethereum: " + LogRow)]
    public List<ParameterOutput> NethereumLog() => new EventTopicDecoder().DecodeDefaultTopics(_nethereumEvent, _topics, _data);
}
