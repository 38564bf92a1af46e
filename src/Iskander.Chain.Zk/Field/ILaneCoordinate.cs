namespace Iskander.Chain.Zk.Field;

/// <summary>
/// A curve coordinate field (<see cref="Fq"/> for G1, <see cref="Fq2"/> for G2) as the SIMD lanes
/// hold it: <see cref="Parts"/> base-field parts, each <see cref="LaneField{T, TField}.Limbs"/>
/// registers, part after part. It supplies the field's share of an affine addition in lanes (the
/// value whose inverse gives 1/(x₂ − x₁), and the sum itself), so that one implementation of the
/// rounds serves both groups, specialised by the JIT per field.
/// </summary>
/// <remarks>
/// Registers of <see cref="LaneAdd"/>: x₁, y₁, x₂, y₂ (each <see cref="Parts"/> base-field
/// elements), then <see cref="LaneScratch"/> base-field elements the field uses as it likes.
/// </remarks>
internal interface ILaneCoordinate<TSelf>
    where TSelf : struct, IFieldElement<TSelf>, ILaneCoordinate<TSelf>
{
    /// <summary>Base-field parts per element.</summary>
    static abstract int Parts { get; }

    /// <summary>Base-field elements of scratch registers <see cref="LaneAdd"/> needs after the coordinates.</summary>
    static abstract int LaneScratch { get; }

    /// <summary>Part <paramref name="part"/> of <paramref name="value"/>.</summary>
    static abstract Fq Part(in TSelf value, int part);

    /// <summary>The element of these parts.</summary>
    static abstract TSelf FromParts(ReadOnlySpan<Fq> parts);

    /// <summary>value·factor (each part times the base-field factor).</summary>
    static abstract TSelf Scale(in TSelf value, Fq factor);

    /// <summary>Sets the scratch registers' constants (once, before any <see cref="LaneAdd"/>).</summary>
    static abstract void LaneInitialize<T>(Span<T> registers)
        where T : unmanaged, ILanes<T>;

    /// <summary>
    /// The base-field value N(x₂ − x₁) whose inverse gives that of x₂ − x₁: the difference itself in
    /// <see cref="Fq"/>, its norm in <see cref="Fq2"/>. Nonzero exactly when x₁ ≠ x₂.
    /// </summary>
    static abstract void LaneDifferenceNorm<T>(ReadOnlySpan<T> x1, ReadOnlySpan<T> x2, Span<T> norm)
        where T : unmanaged, ILanes<T>;

    /// <summary>
    /// (x₃, y₃) = (x₁, y₁) + (x₂, y₂) into the x₂ and y₂ registers, given 1/N(x₂ − x₁); results
    /// below p + 2²³⁷ in every part, so that one conditional subtraction makes them canonical.
    /// </summary>
    static abstract void LaneAdd<T>(Span<T> registers, ReadOnlySpan<T> normInverse)
        where T : unmanaged, ILanes<T>;
}
