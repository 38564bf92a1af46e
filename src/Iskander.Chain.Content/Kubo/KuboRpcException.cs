using System.Net;

namespace Iskander.Chain.Content.Kubo;

/// <summary>
/// A Kubo RPC call failed: the node answered with its error object (<c>{"Message","Code","Type"}</c>),
/// an unexpected status, or a body that is not what the API documents.
/// </summary>
public sealed class KuboRpcException(string endpoint, HttpStatusCode? status, string message, int? code = null, bool transient = false, Exception? inner = null)
    : Exception($"Kubo {endpoint}: {message}" + (status is null ? string.Empty : $" (HTTP {(int)status.Value})"), inner)
{
    /// <summary>The RPC path, e.g. <c>add</c>.</summary>
    public string Endpoint { get; } = endpoint;

    /// <summary>HTTP status, when a response arrived.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Kubo's error code (0 normal, 1 client error, 2 implementation error), when given.</summary>
    public int? Code { get; } = code;

    /// <summary>Whether retrying the same call later can succeed (node busy, gateway error, connection lost).</summary>
    public bool IsTransient { get; } = transient || status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests;
}

/// <summary>Kubo stored content under a different CID than the one computed locally.</summary>
public sealed class KuboCidMismatchException(Cid expected, string returned)
    : Exception($"Kubo returned CID {returned} but the content's CID is {expected}: the node's import parameters differ from ours; nothing is recorded")
{
    /// <summary>The CID computed locally.</summary>
    public Cid Expected { get; } = expected;

    /// <summary>What Kubo returned.</summary>
    public string Returned { get; } = returned;
}
