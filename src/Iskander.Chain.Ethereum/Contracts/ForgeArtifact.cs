using System.Text.Json;
using Iskander.Chain.Ethereum.Abi;

namespace Iskander.Chain.Ethereum.Contracts;

/// <summary>A contract compiled by forge (<c>out/File.sol/Contract.json</c>): its ABI and bytecode.</summary>
public sealed class ForgeArtifact
{
    private ForgeArtifact(string name, ContractAbi abi, byte[] bytecode, byte[] deployedBytecode)
    {
        Name = name;
        Abi = abi;
        Bytecode = bytecode;
        DeployedBytecode = deployedBytecode;
        BytecodeHash = Hash32.Keccak(bytecode);
    }

    /// <summary>Contract name (the file name without <c>.json</c>).</summary>
    public string Name { get; }

    /// <summary>The contract's ABI.</summary>
    public ContractAbi Abi { get; }

    /// <summary>Creation code (constructor arguments are appended when deploying).</summary>
    public byte[] Bytecode { get; }

    /// <summary>Runtime code, as it will sit on chain.</summary>
    public byte[] DeployedBytecode { get; }

    /// <summary>keccak256 of the creation code: identifies the build in deployment manifests.</summary>
    public Hash32 BytecodeHash { get; }

    /// <summary>Loads <c>{outDirectory}/{sourceFile}/{contractName}.json</c>.</summary>
    public static ForgeArtifact Load(string outDirectory, string sourceFile, string contractName) =>
        Load(Path.Combine(outDirectory, sourceFile, contractName + ".json"));

    /// <summary>Only the ABI of <c>{outDirectory}/{sourceFile}/{contractName}.json</c>: for calling a contract deployed by a forge script (whose bytecode may need library linking).</summary>
    /// <exception cref="FileNotFoundException">Not built (run <c>forge build</c>).</exception>
    public static ContractAbi LoadAbi(string outDirectory, string sourceFile, string contractName)
    {
        var path = Path.Combine(outDirectory, sourceFile, contractName + ".json");
        if (!File.Exists(path)) throw new FileNotFoundException($"forge artifact {path} not found; run forge build", path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return ContractAbi.Parse(document.RootElement.GetProperty("abi"));
    }

    /// <summary>Loads an artifact file.</summary>
    /// <exception cref="FileNotFoundException">Not built (run <c>forge build</c>).</exception>
    /// <exception cref="FormatException">Not a forge artifact, or the bytecode still needs library linking.</exception>
    public static ForgeArtifact Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"forge artifact {path} not found; run forge build", path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("abi", out var abi) || !root.TryGetProperty("bytecode", out var bytecode))
        {
            throw new FormatException($"{path} is not a forge artifact (no abi/bytecode)");
        }

        if (bytecode.TryGetProperty("linkReferences", out var links) && links.ValueKind == JsonValueKind.Object && links.EnumerateObject().Any())
        {
            throw new FormatException($"{path} needs external libraries linked ({string.Join(", ", links.EnumerateObject().Select(l => l.Name))}); deploy them and link first");
        }

        return new ForgeArtifact(
            Path.GetFileNameWithoutExtension(path),
            ContractAbi.Parse(abi),
            Hex.Decode(bytecode.GetProperty("object").GetString() ?? "0x"),
            root.TryGetProperty("deployedBytecode", out var deployed) ? Hex.Decode(deployed.GetProperty("object").GetString() ?? "0x") : []);
    }
}
