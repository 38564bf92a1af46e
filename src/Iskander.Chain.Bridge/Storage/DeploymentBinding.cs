using System.Globalization;
using System.Text.Json;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Npgsql;
using NpgsqlTypes;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>The database belongs to another deployment (chain, contracts or deployment block differ).</summary>
public sealed class DeploymentMismatchException(string message) : Exception(message);

/// <summary>
/// Binds the database to one deployment on first use: chain id, the required contracts' addresses,
/// the deployment block and that block's hash on the chain. Every later start must present the same
/// deployment, so a database is never silently used with another chain, other contracts, or a fresh
/// chain that reuses the chain id and addresses (a reset development chain).
/// </summary>
public static class DeploymentBinding
{
    /// <summary>Binds the database to <paramref name="manifest"/> if it is bound to nothing yet; otherwise checks it is the same deployment.</summary>
    /// <param name="database">The migrated bridge database.</param>
    /// <param name="manifest">The deployment the bridge is about to use.</param>
    /// <param name="deployBlockHash">The hash of the manifest's deployment block on the node's chain.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="DeploymentMismatchException">The database is bound to another deployment; the message names each difference.</exception>
    public static async Task BindOrCheckAsync(BridgeDatabase database, DeploymentManifest manifest, Hash32 deployBlockHash, CancellationToken cancellationToken = default)
    {
        var contracts = DeploymentManifest.RequiredContracts.ToDictionary(name => name, name => manifest[name].Address.ToString().ToLowerInvariant());
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The first start binds; concurrent first starts insert one row and all compare against it.
        await using (var bind = new NpgsqlCommand(
            "INSERT INTO deployment (chain_id, deploy_block, deploy_block_hash, contracts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", connection))
        {
            bind.Parameters.Add(new() { Value = (decimal)manifest.ChainId });
            bind.Parameters.Add(new() { Value = checked((long)manifest.DeployBlock) });
            bind.Parameters.Add(new() { Value = deployBlockHash.ToArray() });
            bind.Parameters.Add(new() { Value = JsonSerializer.Serialize(contracts), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await bind.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var read = new NpgsqlCommand("SELECT chain_id, deploy_block, deploy_block_hash, contracts::text, bound_at FROM deployment", connection);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var boundChain = (ulong)reader.GetDecimal(0);
        var boundBlock = reader.GetInt64(1);
        var boundHash = new Hash32((byte[])reader[2]);
        var boundContracts = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(3))!;
        var boundAt = reader.GetFieldValue<DateTimeOffset>(4);

        var differences = new List<string>();
        if (boundChain != manifest.ChainId) differences.Add($"chain {boundChain}, not {manifest.ChainId}");
        foreach (var (name, address) in contracts)
        {
            if (boundContracts.GetValueOrDefault(name) != address) differences.Add($"{name} {boundContracts.GetValueOrDefault(name) ?? "(none)"}, not {address}");
        }

        if (boundBlock != (long)manifest.DeployBlock) differences.Add($"deployment block {boundBlock}, not {manifest.DeployBlock}");
        else if (boundHash != deployBlockHash) differences.Add($"block {boundBlock} with hash {boundHash}, but the node's block {boundBlock} is {deployBlockHash} (another chain, or the chain was reset)");
        if (differences.Count > 0)
        {
            throw new DeploymentMismatchException(
                $"the database belongs to another deployment (bound {boundAt.ToString("u", CultureInfo.InvariantCulture)}): it records {string.Join("; ", differences)}. "
                + "Use this deployment's own database, or an empty database for a new deployment");
        }
    }
}
