namespace Iskander.Chain.Toolchain;

/// <summary>An external program the project runs.</summary>
public enum Tool
{
    /// <summary>Node.js, which runs solc-js, snarkjs, circom2 and the JavaScript test oracles.</summary>
    Node,
    /// <summary>Foundry's build and test runner.</summary>
    Forge,
    /// <summary>Foundry's local Ethereum node.</summary>
    Anvil,
    /// <summary>Foundry's command-line client.</summary>
    Cast,
    /// <summary>The forge-compatible solc-js wrapper, <c>scripts/solc</c>.</summary>
    Solc,
    /// <summary>snarkjs (Groth16 setup, witness, proving, verifier export).</summary>
    Snarkjs,
    /// <summary>circom 2 compiled to WebAssembly (npm <c>circom2</c>).</summary>
    Circom,
    /// <summary>PostgreSQL's <c>initdb</c>.</summary>
    Initdb,
    /// <summary>PostgreSQL's <c>pg_ctl</c>.</summary>
    PgCtl,
}
