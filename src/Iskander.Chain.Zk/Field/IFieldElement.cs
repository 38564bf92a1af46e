namespace Iskander.Chain.Zk.Field;

/// <summary>
/// The operations elliptic-curve code needs from a coordinate field, so one implementation of the
/// point formulas serves G1 (over <see cref="Fq"/>) and G2 (over <see cref="Fq2"/>). Implemented by
/// structs only: the JIT compiles a specialised copy per field, with every call inlinable.
/// </summary>
/// <typeparam name="T">The implementing struct.</typeparam>
public interface IFieldElement<T> : IEquatable<T>
    where T : struct, IFieldElement<T>
{
    /// <summary>0.</summary>
    static abstract T Zero { get; }

    /// <summary>1.</summary>
    static abstract T One { get; }

    /// <summary>Whether this is 0.</summary>
    bool IsZero { get; }

    /// <summary>Sum.</summary>
    static abstract T operator +(T a, T b);

    /// <summary>Difference.</summary>
    static abstract T operator -(T a, T b);

    /// <summary>Negation.</summary>
    static abstract T operator -(T a);

    /// <summary>Product.</summary>
    static abstract T operator *(T a, T b);

    /// <summary>Square.</summary>
    T Square();

    /// <summary>2·this.</summary>
    T Double();

    /// <summary>Multiplicative inverse.</summary>
    /// <exception cref="DivideByZeroException">Zero has no inverse.</exception>
    T Inverse();

    /// <summary>
    /// Replaces every element of <paramref name="values"/> by its inverse, with a single field
    /// inversion for all of them (Montgomery's trick unless the field has a cheaper way);
    /// <paramref name="scratch"/> is at least as long as <paramref name="values"/>.
    /// </summary>
    /// <exception cref="DivideByZeroException">An element is zero.</exception>
    static virtual void InvertAll(Span<T> values, Span<T> scratch) => BatchInversion.Invert(values, scratch);
}

/// <summary>Montgomery's trick: the inverses of many elements from one inversion and three products each.</summary>
internal static class BatchInversion
{
    /// <summary>Inverts <paramref name="values"/> in place; <paramref name="prefix"/> holds the prefix products meanwhile.</summary>
    public static void Invert<T>(Span<T> values, Span<T> prefix)
        where T : struct, IFieldElement<T>
    {
        if (values.IsEmpty) return;
        var running = T.One;
        for (var k = 0; k < values.Length; k++)
        {
            prefix[k] = running;
            running *= values[k];
        }

        var inverse = running.Inverse();
        for (var k = values.Length - 1; k >= 0; k--)
        {
            var value = values[k];
            values[k] = inverse * prefix[k];
            inverse *= value;
        }
    }
}
