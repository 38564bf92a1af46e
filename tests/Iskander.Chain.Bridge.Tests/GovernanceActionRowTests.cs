using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.Governance;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>Where an action stands on the public schedule, as `decisions show`, `member show` and the API tell it.</summary>
public sealed class GovernanceActionRowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static GovernanceActionRow Row(string status, DateTimeOffset? executableAt, DateTimeOffset? expiresAt) =>
        new(1, "poll", 1, "revoke-member", new JsonObject(), status, null, null, null, null, executableAt, expiresAt);

    [Fact]
    public void An_action_in_its_notice_tells_the_time_left_and_that_members_can_veto_it()
    {
        var row = Row("ready", Now.AddHours(47).AddMinutes(5), Now.AddDays(32));
        Assert.Equal(47 * 3600 + 300, row.NoticeLeft(Now));
        Assert.Equal("in notice, executable in 1 d 23 h — members can veto it until it executes", row.ScheduleText(Now));
    }

    [Fact]
    public void An_action_whose_notice_was_served_tells_when_it_expires()
    {
        var row = Row("awaiting_consent", Now.AddSeconds(-10), Now.AddMinutes(90));
        Assert.Equal(0, row.NoticeLeft(Now));
        Assert.Equal(90 * 60, row.ValidityLeft(Now));
        Assert.Equal("notice served, expires in 1 h 30 min unless executed", row.ScheduleText(Now));
    }

    [Theory]
    [InlineData("executed")]
    [InlineData("vetoed")]
    [InlineData("cancelled")]
    [InlineData("superseded")]
    [InlineData("expired")]
    public void A_closed_action_has_no_time_left(string status)
    {
        var row = Row(status, Now.AddHours(1), Now.AddDays(30));
        Assert.Null(row.NoticeLeft(Now));
        Assert.Null(row.ScheduleText(Now));
    }

    [Fact]
    public void An_action_not_yet_on_the_chain_has_no_schedule()
    {
        Assert.Null(Row("pending", null, null).ScheduleText(Now));
    }
}
