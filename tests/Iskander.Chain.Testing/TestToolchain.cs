using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Testing;

/// <summary>The checkout the tests run from and its pinned toolchain.</summary>
public static class TestToolchain
{
    private static readonly Lazy<ProjectLayout> LazyLayout = new(() => ProjectLayout.Discover(AppContext.BaseDirectory));

    /// <summary>The checkout.</summary>
    public static ProjectLayout Layout => LazyLayout.Value;

    /// <summary>A toolchain with no overrides.</summary>
    public static Toolchain.Toolchain Create(IReadOnlyDictionary<Tool, string>? overrides = null) => new(Layout, overrides);

    /// <summary>A runner over <see cref="Create"/>.</summary>
    public static ToolRunner Runner() => new(Create());
}
