using System.Net;
using System.Net.Sockets;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1 for servers the tests start.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on right now (the OS picks it; a later bind may still race, which is rare).</summary>
    public static int Free()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
