using System.Net;
using System.Net.Sockets;

namespace Iskander.Chain.DevServices;

/// <summary>Finds free TCP ports on the loopback interface.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// Returns a port that was free a moment ago. Another process may still take it before the
    /// caller binds, so services started on it retry on a bind failure.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
