namespace Iskander.Chain.DevServices;

/// <summary>An embedded development service could not be started, reached or stopped.</summary>
public sealed class DevServiceException(string message, Exception? inner = null) : Exception(message, inner);
