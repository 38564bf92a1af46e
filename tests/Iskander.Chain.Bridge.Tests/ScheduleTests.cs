using Iskander.Chain.Bridge.Pipeline;

namespace Iskander.Chain.Bridge.Tests;

public sealed class ScheduleTests
{
    [Theory]
    [InlineData("2026-11-24T12:05:00Z", "2026-11-24T12:10:00Z")]
    [InlineData("2026-11-24T12:10:00Z", "2026-11-24T13:10:00Z")]
    [InlineData("2026-11-24T12:50:30Z", "2026-11-24T13:10:00Z")]
    [InlineData("2026-11-24T23:59:00Z", "2026-11-25T00:10:00Z")]
    [InlineData("2026-11-24T00:00:00Z", "2026-11-24T00:10:00Z")]
    public void Hourly_reconciles_run_ten_minutes_past_the_hour(string now, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), BridgeService.NextAligned(DateTimeOffset.Parse(now), TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData("2026-11-24T01:00:00Z", "2026-11-24T03:25:00Z")]
    [InlineData("2026-11-24T04:00:00Z", "2026-11-25T03:25:00Z")]
    public void The_deep_scan_runs_once_a_day(string now, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), BridgeService.NextAligned(DateTimeOffset.Parse(now), TimeSpan.FromDays(1), new TimeSpan(3, 25, 0)));
    }
}
