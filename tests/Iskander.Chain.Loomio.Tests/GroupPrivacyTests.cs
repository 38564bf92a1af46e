using Iskander.Chain.Loomio.Emulator;

namespace Iskander.Chain.Loomio.Tests;

/// <summary>Which polls are public, from the group side-loaded with a poll (GroupSerializer's <c>is_visible_to_public</c> and <c>discussion_privacy_options</c>).</summary>
public sealed class GroupPrivacyTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Only_a_group_visible_to_the_public_with_public_threads_only_makes_its_polls_public()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var open = loomio.AddPoll(loomio.AddGroup("Assembly", isPublic: true), "Open?");
        var closed = loomio.AddPoll(loomio.AddGroup("Members"), "Closed?");

        var openDocument = (await client.GetPollAsync(open))!;
        var openGroup = Assert.Single(openDocument.Groups);
        Assert.True(openGroup.IsVisibleToPublic);
        Assert.Equal("public_only", openGroup.DiscussionPrivacyOptions);
        Assert.True(openDocument.IsPublic(Assert.Single(openDocument.Polls)));
        var closedDocument = (await client.GetPollAsync(closed))!;
        Assert.False(closedDocument.IsPublic(Assert.Single(closedDocument.Polls)));
    }

    [Theory]
    [InlineData(true, "public_only", true)]
    [InlineData(true, "public_or_private", false)] // a poll's thread may be private, and the poll's answer does not say
    [InlineData(true, "private_only", false)]
    [InlineData(false, "public_only", false)]
    [InlineData(null, null, false)] // a group that does not say (older answers) is private
    public void A_group_is_public_only_when_it_says_so_for_every_thread(bool? visible, string? threads, bool expected) =>
        Assert.Equal(expected, new LoomioGroup { Id = 1, IsVisibleToPublic = visible, DiscussionPrivacyOptions = threads }.PollsArePublic);

    [Fact]
    public void A_poll_whose_group_is_not_in_the_answer_is_private()
    {
        var document = new LoomioDocument { Polls = [new LoomioPoll { Id = 1, Key = "p", GroupId = 9 }], Groups = [new LoomioGroup { Id = 8, IsVisibleToPublic = true, DiscussionPrivacyOptions = "public_only" }] };
        Assert.False(document.IsPublic(document.Polls[0]));
    }
}
