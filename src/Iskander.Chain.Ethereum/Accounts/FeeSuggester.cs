using System.Numerics;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Accounts;

/// <summary>Suggested fees: EIP-1559 (<see cref="MaxFeePerGas"/>, <see cref="MaxPriorityFeePerGas"/>) or, for nodes without a base fee, a legacy <see cref="GasPrice"/>.</summary>
/// <param name="MaxFeePerGas">Fee cap per gas (EIP-1559), or zero.</param>
/// <param name="MaxPriorityFeePerGas">Tip per gas (EIP-1559), or zero.</param>
/// <param name="GasPrice">Legacy gas price, or zero.</param>
public sealed record FeeSuggestion(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas, BigInteger GasPrice)
{
    /// <summary>Whether these are EIP-1559 fees.</summary>
    public bool IsDynamic => GasPrice.IsZero;
}

/// <summary>Limits for <see cref="FeeSuggester"/>.</summary>
public sealed record FeeOptions
{
    /// <summary>Blocks of history to look at.</summary>
    public int HistoryBlocks { get; init; } = 10;

    /// <summary>Percentile of recent tips to pay.</summary>
    public double RewardPercentile { get; init; } = 50;

    /// <summary>Smallest tip offered (1 gwei by default: an empty history must not mean a zero tip).</summary>
    public BigInteger MinPriorityFee { get; init; } = 1_000_000_000;

    /// <summary>Largest fee cap ever offered; a suggestion above it is capped (the transaction may then wait).</summary>
    public BigInteger MaxFeeCap { get; init; } = BigInteger.Parse("500000000000", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Suggests fees from <c>eth_feeHistory</c>: tip = the median of recent tips at the chosen percentile
/// (at least <see cref="FeeOptions.MinPriorityFee"/>), fee cap = 2 × next base fee + tip (survives six
/// full blocks of base-fee growth), both capped by <see cref="FeeOptions.MaxFeeCap"/>. Falls back to
/// <c>eth_gasPrice</c> on nodes without a base fee.
/// </summary>
public sealed class FeeSuggester(EthClient client, FeeOptions? options = null)
{
    private readonly FeeOptions _options = options ?? new FeeOptions();

    /// <summary>Fees for a transaction sent now.</summary>
    public async Task<FeeSuggestion> SuggestAsync(CancellationToken cancellationToken = default)
    {
        FeeHistory history;
        try
        {
            history = await client.FeeHistoryAsync(_options.HistoryBlocks, [_options.RewardPercentile], cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcErrorException)
        {
            return await LegacyAsync(cancellationToken).ConfigureAwait(false);
        }

        if (history.BaseFeePerGas.Count == 0 || history.BaseFeePerGas[^1].IsZero && history.BaseFeePerGas.All(b => b.IsZero))
        {
            return await LegacyAsync(cancellationToken).ConfigureAwait(false);
        }

        var nextBaseFee = history.BaseFeePerGas[^1];
        var tips = history.Reward.Where(r => r.Count > 0).Select(r => r[0]).Order().ToList();
        var tip = tips.Count == 0 ? BigInteger.Zero : tips[tips.Count / 2];
        tip = BigInteger.Max(tip, _options.MinPriorityFee);
        var maxFee = BigInteger.Min(2 * nextBaseFee + tip, _options.MaxFeeCap);
        return new FeeSuggestion(maxFee, BigInteger.Min(tip, maxFee), BigInteger.Zero);
    }

    private async Task<FeeSuggestion> LegacyAsync(CancellationToken cancellationToken)
    {
        var price = await client.GasPriceAsync(cancellationToken).ConfigureAwait(false);
        return new FeeSuggestion(BigInteger.Zero, BigInteger.Zero, BigInteger.Min(BigInteger.Max(price, BigInteger.One), _options.MaxFeeCap));
    }
}
