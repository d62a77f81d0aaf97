using Banyan.Tests.Shared.Hosting;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1 for servers the tests start.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on right now, below the ephemeral range (see <see cref="LoopbackPorts"/>).</summary>
    public static int Free() => LoopbackPorts.Free();
}
