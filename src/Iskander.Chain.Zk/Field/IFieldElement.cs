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
}
