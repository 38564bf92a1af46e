using System.Net;
using System.Numerics;
using System.Text.RegularExpressions;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Governance;

/// <summary>What an outcome statement says to do: its actions, or why its action block is not valid.</summary>
/// <param name="Present">Whether the statement has an action block at all.</param>
/// <param name="Actions">The actions, in order (empty when there are errors).</param>
/// <param name="Errors">Every problem found, each naming its line; any error voids the whole block.</param>
public sealed record ActionBlock(bool Present, IReadOnlyList<GovernanceAction> Actions, IReadOnlyList<string> Errors)
{
    /// <summary>The fence's info string (Markdown) or code language (HTML) that marks the block.</summary>
    public const string Language = "iskander-actions";

    /// <summary>Most actions one decision may order.</summary>
    public const int MaxActions = 32;

    private static readonly ActionBlock None = new(false, [], []);
    private static readonly Regex MarkdownFence = new(@"^[ \t]*(```|~~~)[ \t]*" + Language + @"[ \t]*\r?\n(?<body>.*?)^[ \t]*\1[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex HtmlCode = new(@"<pre[^>]*>\s*<code[^>]*class=""[^""]*\blanguage-" + Language + @"\b[^""]*""[^>]*>(?<body>.*?)</code>\s*</pre>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex LineBreak = new(@"<br\s*/?>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex ShortName = new("^[A-Za-z0-9_-]{1,31}$", RegexOptions.CultureInvariant);

    /// <summary>Finds and parses the action block of an outcome statement (<paramref name="format"/> <c>md</c> or <c>html</c>).</summary>
    public static ActionBlock Parse(string? statement, string? format)
    {
        if (string.IsNullOrEmpty(statement)) return None;
        var html = string.Equals(format, "html", StringComparison.OrdinalIgnoreCase);
        var bodies = (html ? HtmlCode : MarkdownFence).Matches(statement).Select(m => m.Groups["body"].Value).ToList();
        if (bodies.Count == 0) return None;
        if (bodies.Count > 1) return new ActionBlock(true, [], [$"the statement has {bodies.Count} {Language} blocks; put every action in one"]);
        var body = html ? WebUtility.HtmlDecode(LineBreak.Replace(bodies[0], "\n")) : bodies[0];

        var actions = new List<GovernanceAction>();
        var errors = new List<string>();
        var lines = body.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var (action, error) = ParseLine(line);
            if (error is not null) errors.Add($"line {i + 1}: {error}");
            else if (actions.Any(a => a.Key == action!.Key)) errors.Add($"line {i + 1}: the same action appears twice");
            else actions.Add(action!);
        }

        if (actions.Count == 0 && errors.Count == 0) errors.Add("the action block is empty");
        if (actions.Count > MaxActions) errors.Add($"{actions.Count} actions; at most {MaxActions} per decision");
        return errors.Count > 0 ? new ActionBlock(true, [], errors) : new ActionBlock(true, actions, []);
    }

    private static (GovernanceAction? Action, string? Error) ParseLine(string line)
    {
        var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var kind = GovernanceActionKinds.Parse(words[0]);
        if (kind is null or GovernanceActionKind.SupersedeVersions) return (null, $"unknown action '{words[0]}' (expected admit-member, revoke-member, amend-parameter, set-anchorer or set-issuer)");
        var positional = words.Skip(1).Where(w => !w.Contains('=', StringComparison.Ordinal)).ToList();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in words.Skip(1).Where(w => w.Contains('=', StringComparison.Ordinal)))
        {
            var (name, value) = (word[..word.IndexOf('=', StringComparison.Ordinal)], word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (!named.TryAdd(name, value)) return (null, $"'{name}' is given twice");
        }

        return kind.Value switch
        {
            GovernanceActionKind.AdmitMember => Admit(positional, named),
            GovernanceActionKind.RevokeMember => Revoke(positional, named),
            GovernanceActionKind.SetAnchorer or GovernanceActionKind.SetIssuer => NewKey(kind.Value, positional, named),
            _ => Amend(positional, named),
        };
    }

    private static (GovernanceAction?, string?) Admit(List<string> positional, Dictionary<string, string> named)
    {
        if (positional.Count != 1) return (null, "admit-member takes one address, then role=… and optionally uri=…");
        if (ParseAddress(positional[0]) is not { } member) return (null, $"'{positional[0]}' is not an Ethereum address (or its checksum is wrong)");
        if (named.Keys.FirstOrDefault(k => k is not ("role" or "uri")) is { } unknown) return (null, $"admit-member has no '{unknown}'");
        var role = named.GetValueOrDefault("role", "member");
        if (!ShortName.IsMatch(role)) return (null, $"role '{role}' must be 1–31 letters, digits, '-' or '_'");
        var uri = named.GetValueOrDefault("uri", "");
        if (uri.Length > 512) return (null, "uri is longer than 512 characters");
        return (new GovernanceAction(GovernanceActionKind.AdmitMember, member, role, uri), null);
    }

    private static (GovernanceAction?, string?) Revoke(List<string> positional, Dictionary<string, string> named)
    {
        if (positional.Count != 1 || named.Count > 0) return (null, "revoke-member takes exactly one address");
        return ParseAddress(positional[0]) is { } member
            ? (new GovernanceAction(GovernanceActionKind.RevokeMember, member), null)
            : (null, $"'{positional[0]}' is not an Ethereum address (or its checksum is wrong)");
    }

    private static (GovernanceAction?, string?) NewKey(GovernanceActionKind kind, List<string> positional, Dictionary<string, string> named)
    {
        if (positional.Count != 1 || named.Count > 0) return (null, $"{kind.Name()} takes exactly one address, the new key");
        return ParseAddress(positional[0]) is { } key && key != Address.Zero
            ? (new GovernanceAction(kind, key), null)
            : (null, $"'{positional[0]}' is not an Ethereum address other than zero (or its checksum is wrong)");
    }

    private static (GovernanceAction?, string?) Amend(List<string> positional, Dictionary<string, string> named)
    {
        if (positional.Count != 2 || named.Count > 0) return (null, "amend-parameter takes a parameter name and a value");
        if (!ShortName.IsMatch(positional[0])) return (null, $"parameter '{positional[0]}' must be 1–31 letters, digits, '-' or '_'");
        if (!positional[1].All(char.IsAsciiDigit) || positional[1].Length > 78 || !BigInteger.TryParse(positional[1], out var value) || value >= BigInteger.One << 256)
        {
            return (null, $"value '{positional[1]}' is not a whole number between 0 and 2^256 − 1");
        }

        return (new GovernanceAction(GovernanceActionKind.AmendParameter, Parameter: positional[0], Value: value), null);
    }

    private static Address? ParseAddress(string text)
    {
        try
        {
            return text.StartsWith("0x", StringComparison.Ordinal) && text.Length == 42 ? Address.Parse(text) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
