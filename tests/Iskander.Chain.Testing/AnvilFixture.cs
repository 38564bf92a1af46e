using Iskander.Chain.DevServices;
using Xunit;

namespace Iskander.Chain.Testing;

/// <summary>One real anvil node (default options) per test class.</summary>
public sealed class AnvilFixture : IAsyncLifetime
{
    /// <summary>The running node.</summary>
    public AnvilNode Node { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Node = await AnvilNode.StartAsync(TestToolchain.Create());

    /// <inheritdoc />
    public async Task DisposeAsync() => await Node.DisposeAsync();
}
