using System.Text.Json;

namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>Base type for JSON-RPC failures.</summary>
public abstract class RpcException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The node answered with a JSON-RPC error object.</summary>
public sealed class JsonRpcErrorException : RpcException
{
    /// <summary>Creates the exception from the error object's parts.</summary>
    public JsonRpcErrorException(string method, long code, string message, JsonElement? data)
        : base($"{method} failed: {message} (code {code})")
    {
        Method = method;
        Code = code;
        RpcMessage = message;
        ErrorData = data;
    }

    /// <summary>The method that failed.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code.</summary>
    public long Code { get; }

    /// <summary>The node's error message.</summary>
    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> member, if any.</summary>
    public JsonElement? ErrorData { get; }

    /// <summary>Revert data (the ABI-encoded error) when the node supplied it as hex.</summary>
    public byte[]? RevertData
    {
        get
        {
            if (ErrorData is not { ValueKind: JsonValueKind.String } data) return null;
            var text = data.GetString();
            if (text is null || !text.StartsWith("0x", StringComparison.Ordinal)) return null;
            try
            {
                return Hex.Decode(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}

/// <summary>The endpoint could not be reached, or answered with something that is not JSON-RPC (an HTML page, a 5xx, garbage).</summary>
public sealed class RpcTransportException(string message, Exception? inner = null, bool transient = true) : RpcException(message, inner)
{
    /// <summary>Whether trying again later may succeed.</summary>
    public bool IsTransient { get; } = transient;
}

/// <summary>The response was JSON-RPC but not what the request allows: wrong id, missing result, a null where the method cannot return null, a malformed value.</summary>
public sealed class RpcProtocolException(string message, Exception? inner = null) : RpcException(message, inner);
