namespace Iskander.Chain.Governance;

/// <summary>Where a scheduled action stands on chain (<c>IActionSchedule.Status</c>).</summary>
public enum ScheduledStatus
{
    /// <summary>Never scheduled.</summary>
    None,

    /// <summary>Scheduled, in its notice period.</summary>
    Pending,

    /// <summary>Notice served; neither vetoed, superseded nor expired.</summary>
    Executable,

    /// <summary>Executed.</summary>
    Executed,

    /// <summary>Vetoed by the members; it can never run.</summary>
    Vetoed,

    /// <summary>A later version of its poll was scheduled.</summary>
    Superseded,

    /// <summary>Not executed within its validity window.</summary>
    Expired,

    /// <summary>Its batch was anchored in a range a member quorum's recovery of the anchoring key distrusted.</summary>
    Cancelled,
}
