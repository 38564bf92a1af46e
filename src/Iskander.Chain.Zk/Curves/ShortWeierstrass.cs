using System.Runtime.CompilerServices;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Curves;

/// <summary>
/// A point of a curve y² = x³ + b in affine coordinates (BN254's G1 and G2), or the point at
/// infinity. Infinity is a flag, never a coordinate pair: (0, 0) is only how files and
/// precompiles write it.
/// </summary>
/// <typeparam name="T">The coordinate field.</typeparam>
/// <param name="X">x (zero at infinity).</param>
/// <param name="Y">y (zero at infinity).</param>
/// <param name="IsInfinity">Whether this is the neutral element.</param>
public readonly record struct AffinePoint<T>(T X, T Y, bool IsInfinity)
    where T : struct, IFieldElement<T>
{
    /// <summary>The point at infinity.</summary>
    public static AffinePoint<T> Infinity => new(T.Zero, T.Zero, true);

    /// <summary>A finite point (not checked against any curve: see <see cref="IsOnCurve"/>).</summary>
    public AffinePoint(T x, T y)
        : this(x, y, false)
    {
    }

    /// <summary>Whether this satisfies y² = x³ + <paramref name="b"/> (infinity counts as on the curve).</summary>
    public bool IsOnCurve(T b) => IsInfinity || Y.Square().Equals(X.Square() * X + b);

    /// <summary>−P.</summary>
    public AffinePoint<T> Negate() => IsInfinity ? this : new(X, -Y);

    /// <summary>The same point in Jacobian coordinates.</summary>
    public JacobianPoint<T> ToJacobian() => IsInfinity ? JacobianPoint<T>.Infinity : new(X, Y, T.One);
}

/// <summary>
/// A point of a curve y² = x³ + b (a = 0) in Jacobian coordinates (x = X/Z², y = Y/Z³; infinity
/// when Z = 0), so that additions need no inversion. The formulas are the a = 0 ones from the
/// Explicit-Formulas Database (dbl-2009-l, add-2007-bl, madd-2007-bl), with the exceptional cases
/// (infinity, equal and opposite points) handled.
/// </summary>
/// <typeparam name="T">The coordinate field.</typeparam>
/// <param name="X">X.</param>
/// <param name="Y">Y.</param>
/// <param name="Z">Z (0 at infinity).</param>
public readonly record struct JacobianPoint<T>(T X, T Y, T Z)
    where T : struct, IFieldElement<T>
{
    /// <summary>The point at infinity.</summary>
    public static JacobianPoint<T> Infinity => new(T.One, T.One, T.Zero);

    /// <summary>Whether this is the neutral element.</summary>
    public bool IsInfinity => Z.IsZero;

    /// <summary>2P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JacobianPoint<T> Double()
    {
        if (IsInfinity) return this;
        var a = X.Square();
        var b = Y.Square();
        var c = b.Square();
        var d = ((X + b).Square() - a - c).Double();
        var e = a.Double() + a;
        var f = e.Square();
        var x3 = f - d.Double();
        var c8 = c.Double().Double().Double();
        return new(x3, e * (d - x3) - c8, (Y * Z).Double());
    }

    /// <summary>P + Q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JacobianPoint<T> Add(JacobianPoint<T> other)
    {
        if (IsInfinity) return other;
        if (other.IsInfinity) return this;
        var z1z1 = Z.Square();
        var z2z2 = other.Z.Square();
        var u1 = X * z2z2;
        var u2 = other.X * z1z1;
        var s1 = Y * other.Z * z2z2;
        var s2 = other.Y * Z * z1z1;
        var h = u2 - u1;
        var r = (s2 - s1).Double();
        if (h.IsZero) return r.IsZero ? Double() : Infinity;
        var i = h.Double().Square();
        var j = h * i;
        var v = u1 * i;
        var x3 = r.Square() - j - v.Double();
        return new(x3, r * (v - x3) - (s1 * j).Double(), ((Z + other.Z).Square() - z1z1 - z2z2) * h);
    }

    /// <summary>P + Q for an affine Q (cheaper: Q's Z is 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JacobianPoint<T> AddMixed(AffinePoint<T> other)
    {
        if (other.IsInfinity) return this;
        if (IsInfinity) return other.ToJacobian();
        var z1z1 = Z.Square();
        var u2 = other.X * z1z1;
        var s2 = other.Y * Z * z1z1;
        var h = u2 - X;
        var r = (s2 - Y).Double();
        if (h.IsZero) return r.IsZero ? Double() : Infinity;
        var hh = h.Square();
        var i = hh.Double().Double();
        var j = h * i;
        var v = X * i;
        var x3 = r.Square() - j - v.Double();
        return new(x3, r * (v - x3) - (Y * j).Double(), (Z + h).Square() - z1z1 - hh);
    }

    /// <summary>−P.</summary>
    public JacobianPoint<T> Negate() => new(X, -Y, Z);

    /// <summary>k·P for a non-negative integer k given as little-endian 64-bit limbs (double and add, 4-bit windows).</summary>
    public JacobianPoint<T> Multiply(ReadOnlySpan<ulong> scalar)
    {
        var multiples = new JacobianPoint<T>[16];
        multiples[0] = Infinity;
        for (var i = 1; i < 16; i++) multiples[i] = multiples[i - 1].Add(this);
        var result = Infinity;
        for (var limb = scalar.Length - 1; limb >= 0; limb--)
        {
            for (var shift = 60; shift >= 0; shift -= 4)
            {
                result = result.Double().Double().Double().Double();
                var digit = (int)((scalar[limb] >> shift) & 0xF);
                if (digit != 0) result = result.Add(multiples[digit]);
            }
        }

        return result;
    }

    /// <summary>The affine form (one inversion; use <see cref="ToAffine(ReadOnlySpan{JacobianPoint{T}}, Span{AffinePoint{T}})"/> for many).</summary>
    public AffinePoint<T> ToAffine()
    {
        if (IsInfinity) return AffinePoint<T>.Infinity;
        var zInverse = Z.Inverse();
        var zInverse2 = zInverse.Square();
        return new(X * zInverse2, Y * zInverse2 * zInverse);
    }

    /// <summary>
    /// Affine forms of many points with a single field inversion (Montgomery's trick: prefix
    /// products of the Z's, one inverse, then a backward pass).
    /// </summary>
    public static void ToAffine(ReadOnlySpan<JacobianPoint<T>> points, Span<AffinePoint<T>> destination)
    {
        if (destination.Length < points.Length) throw new ArgumentException("destination is shorter than the points", nameof(destination));
        var prefix = new T[points.Length];
        var running = T.One;
        for (var i = 0; i < points.Length; i++)
        {
            prefix[i] = running;
            if (!points[i].IsInfinity) running *= points[i].Z;
        }

        var inverse = running.Inverse();
        for (var i = points.Length - 1; i >= 0; i--)
        {
            var point = points[i];
            if (point.IsInfinity)
            {
                destination[i] = AffinePoint<T>.Infinity;
                continue;
            }

            var zInverse = inverse * prefix[i];
            inverse *= point.Z;
            var zInverse2 = zInverse.Square();
            destination[i] = new(point.X * zInverse2, point.Y * zInverse2 * zInverse);
        }
    }

    /// <summary>Equality as points (not as coordinate triples).</summary>
    public bool IsSamePoint(JacobianPoint<T> other)
    {
        if (IsInfinity || other.IsInfinity) return IsInfinity && other.IsInfinity;
        var z1z1 = Z.Square();
        var z2z2 = other.Z.Square();
        return (X * z2z2).Equals(other.X * z1z1) && (Y * other.Z * z2z2).Equals(other.Y * Z * z1z1);
    }
}

/// <summary>
/// Multiples of one fixed base, precomputed in windows of w bits (d·2^(w·j)·B for every digit d and
/// window j), so that k·B is one mixed addition per non-zero digit of k and no doubling: what
/// writing thousands of multiples of the same generator needs. Wider windows mean fewer additions
/// per multiplication and a table of ⌈bits/w⌉·2^w points; 13 bits suit tens of thousands of
/// multiplications or more.
/// </summary>
/// <typeparam name="T">The coordinate field.</typeparam>
public sealed class FixedBaseTable<T>
    where T : struct, IFieldElement<T>
{
    private readonly AffinePoint<T>[] _table;
    private readonly int _windows, _windowBits;

    /// <summary>Precomputes the table for scalars of up to <paramref name="scalarBits"/> bits, windows of <paramref name="windowBits"/> bits.</summary>
    public FixedBaseTable(AffinePoint<T> basePoint, int scalarBits = 256, int windowBits = 8)
    {
        if (windowBits is < 1 or > 20) throw new ArgumentOutOfRangeException(nameof(windowBits), "1…20 bits");
        _windowBits = windowBits;
        _windows = (scalarBits + windowBits - 1) / windowBits;
        var digits = 1 << windowBits;
        var windowBases = new JacobianPoint<T>[_windows];
        windowBases[0] = basePoint.ToJacobian();
        for (var window = 1; window < _windows; window++)
        {
            var next = windowBases[window - 1];
            for (var i = 0; i < windowBits; i++) next = next.Double();
            windowBases[window] = next;
        }

        _table = new AffinePoint<T>[_windows * digits];
        Parallel.For(0, _windows, window =>
        {
            var multiples = new JacobianPoint<T>[digits];
            multiples[0] = JacobianPoint<T>.Infinity;
            for (var digit = 1; digit < digits; digit++) multiples[digit] = multiples[digit - 1].Add(windowBases[window]);
            JacobianPoint<T>.ToAffine(multiples, _table.AsSpan(window * digits, digits));
        });
    }

    /// <summary>k·B for k given as little-endian 64-bit limbs (bits beyond the table's size must be zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JacobianPoint<T> Multiply(ReadOnlySpan<ulong> scalar)
    {
        var mask = (1UL << _windowBits) - 1;
        var result = JacobianPoint<T>.Infinity;
        for (var window = 0; window < _windows; window++)
        {
            var bit = window * _windowBits;
            var limb = bit >> 6;
            var shift = bit & 63;
            if (limb >= scalar.Length) break;
            var value = scalar[limb] >> shift;
            if (shift + _windowBits > 64 && limb + 1 < scalar.Length) value |= scalar[limb + 1] << (64 - shift);
            var digit = (int)(value & mask);
            if (digit != 0) result = result.AddMixed(_table[(window << _windowBits) + digit]);
        }

        var covered = _windows * _windowBits;
        for (var limb = covered >> 6; limb < scalar.Length; limb++)
        {
            var unused = (covered & 63) != 0 && limb == covered >> 6 ? scalar[limb] >> (covered & 63) : scalar[limb];
            if (unused != 0) throw new ArgumentOutOfRangeException(nameof(scalar), "the scalar is wider than the table");
        }

        return result;
    }
}
