namespace Banyan.Grains.Runtime;

/// <summary>What a <see cref="RequestMessage"/> asks for.</summary>
internal enum MessageKind : byte
{
    /// <summary>A grain method call.</summary>
    Call = 1,

    /// <summary>Remove a directory entry held by the receiving silo (sent by the silo that deactivated the grain).</summary>
    DirectoryUnregister = 2,

    /// <summary>Membership changed: the receiver re-reads the membership table now instead of at its next refresh.</summary>
    MembershipChanged = 3,

    /// <summary>Liveness probe.</summary>
    Ping = 4,
}
