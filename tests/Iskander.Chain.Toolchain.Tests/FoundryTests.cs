using System.Text.Json;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Toolchain.Tests;

/// <summary>forge through the solc-js wrapper, on the project's own contracts and test base.</summary>
public sealed class FoundryTests
{
    private readonly ToolRunner _runner = TestToolchain.Runner();

    [Fact]
    public async Task Forge_build_compiles_contracts_that_import_OpenZeppelin()
    {
        using var output = new TempDirectory();
        await _runner.RunAsync(Tool.Forge, ["build", "--out", output.Combine("out"), "--cache-path", output.Combine("cache")]);

        var artifact = Path.Combine(output.Path, "out", "ECDSA.sol", "ECDSA.json");
        Assert.True(File.Exists(artifact), "OpenZeppelin's ECDSA was not compiled");
        using var testBase = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.Path, "out", "TestBase.t.sol", "TestBaseTest.json")));
        var bytecode = testBase.RootElement.GetProperty("bytecode").GetProperty("object").GetString();
        Assert.StartsWith("0x6080", bytecode, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forge_test_runs_unit_fuzz_and_invariant_tests_of_the_test_base()
    {
        using var output = new TempDirectory();
        var result = await _runner.RunAsync(Tool.Forge,
            ["test", "--match-path", "contracts/test/TestBase.t.sol", "--json", "--out", output.Combine("out"), "--cache-path", output.Combine("cache")]);

        using var report = JsonDocument.Parse(result.StandardOutput);
        var tests = report.RootElement.EnumerateObject()
            .SelectMany(suite => suite.Value.GetProperty("test_results").EnumerateObject())
            .ToDictionary(t => t.Name, t => t.Value);
        Assert.All(tests, t => Assert.Equal("Success", t.Value.GetProperty("status").GetString()));
        Assert.Contains("testFuzz_vm_sign_recovers_with_openzeppelin(uint256,bytes32)", tests.Keys);
        Assert.Contains("invariant_total_equals_sum_of_balances()", tests.Keys);
        var fuzzRuns = tests["testFuzz_bound_stays_in_range(uint256,uint256,uint256)"].GetProperty("kind").GetProperty("Fuzz").GetProperty("runs").GetInt32();
        Assert.Equal(512, fuzzRuns);
    }

    [Fact]
    public async Task The_solc_wrapper_compiles_standard_json_and_resolves_imports_from_disk()
    {
        using var sources = new TempDirectory();
        await File.WriteAllTextAsync(sources.Combine("Lib.sol"), "// SPDX-License-Identifier: AGPL-3.0-only\npragma solidity ^0.8.0;\nlibrary Lib { function two() internal pure returns (uint256) { return 2; } }\n");
        var input = JsonSerializer.Serialize(new
        {
            language = "Solidity",
            sources = new Dictionary<string, object>
            {
                ["Main.sol"] = new { content = "// SPDX-License-Identifier: AGPL-3.0-only\npragma solidity ^0.8.0;\nimport \"Lib.sol\";\ncontract Main { function f() external pure returns (uint256) { return Lib.two(); } }\n" },
            },
            settings = new { outputSelection = new Dictionary<string, object> { ["*"] = new Dictionary<string, string[]> { ["*"] = ["abi"] } } },
        });

        var result = await _runner.RunAsync(Tool.Solc, ["--standard-json", "--allow-paths", sources.Path],
            new ToolRunOptions { StandardInput = input, WorkingDirectory = sources.Path });

        using var output = JsonDocument.Parse(result.StandardOutput);
        var errors = output.RootElement.TryGetProperty("errors", out var list) ? list.EnumerateArray().Where(e => e.GetProperty("severity").GetString() == "error").ToList() : [];
        Assert.Empty(errors);
        var abi = output.RootElement.GetProperty("contracts").GetProperty("Main.sol").GetProperty("Main").GetProperty("abi");
        Assert.Equal("f", abi[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_solc_wrapper_refuses_imports_outside_the_allowed_paths()
    {
        using var sources = new TempDirectory();
        var input = JsonSerializer.Serialize(new
        {
            language = "Solidity",
            sources = new Dictionary<string, object> { ["Main.sol"] = new { content = "pragma solidity ^0.8.0;\nimport \"/etc/passwd\";\n" } },
        });
        var result = await _runner.RunAsync(Tool.Solc, ["--standard-json"], new ToolRunOptions { StandardInput = input, WorkingDirectory = sources.Path });
        Assert.Contains("File not found inside allowed paths", result.StandardOutput, StringComparison.Ordinal);
    }
}
