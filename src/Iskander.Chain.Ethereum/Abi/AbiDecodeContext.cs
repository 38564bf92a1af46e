namespace Iskander.Chain.Ethereum.Abi;

/// <summary>
/// Bookkeeping for one decode: how far into the data it reached (so trailing bytes can be refused)
/// and how many values it produced, bounded by what the data could honestly hold, so that aliased
/// offsets cannot make a small input decode into a huge object graph.
/// </summary>
internal sealed class AbiDecodeContext(int dataLength)
{
    private long _budget = 2L * (dataLength / 32) + 16;

    public int Furthest { get; private set; }

    public void Reached(int end)
    {
        if (end > Furthest) Furthest = end;
    }

    public void Spend(long values)
    {
        _budget -= values;
        if (_budget < 0) throw new AbiException("ABI data references more values than it can hold (overlapping offsets)");
    }
}
