using System.Net;
using System.Net.Sockets;

namespace Banyan.Tests.Shared.Hosting;

/// <summary>
/// Free TCP ports on 127.0.0.1 for the servers tests start (silo processes, in-process hosts, Redis), chosen below the
/// kernel's ephemeral range.
/// </summary>
/// <remarks>
/// Why not the port the kernel gives a listener on port 0: that port comes from the ephemeral range, and between the
/// test releasing it and the server binding it, any outgoing connection on the machine may take it as its local port
/// (CI saw a silo process exit with "address already in use" while other tests connected in parallel). A port below
/// the range is never handed to an outgoing connection; it is checked free by binding it, and one process never hands
/// the same port out twice, so only a listener started elsewhere in the same instant could still take it.
/// </remarks>
public static class LoopbackPorts
{
    // Below this, well-known and registered services cluster; the picks stay above it.
    private const int Lowest = 10_000;

    private static readonly Lock s_gate = new();
    private static readonly HashSet<int> s_given = [];

    /// <summary>A port nothing listens on now, not given out before by this process, outside the ephemeral range when it can be.</summary>
    public static int Free()
    {
        int below = EphemeralRangeStart();
        if (below - Lowest >= 1_000)
        {
            for (int attempt = 0; attempt < 200; attempt++)
            {
                int port = Random.Shared.Next(Lowest, below);
                lock (s_gate)
                {
                    if (!s_given.Contains(port) && CanBind(port))
                    {
                        s_given.Add(port);
                        return port;
                    }
                }
            }
        }

        // No room below the range (an unusual kernel setting), or all tries taken: the kernel's pick, as before.
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(int port)
    {
        try
        {
            using TcpListener listener = new(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The first port of the kernel's range for outgoing connections (Linux: ip_local_port_range; elsewhere, and when
    // unreadable, the range's usual start).
    private static int EphemeralRangeStart()
    {
        const int usual = 32_768;
        try
        {
            string text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            string first = text.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int start) ? start : usual;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return usual;
        }
    }
}
