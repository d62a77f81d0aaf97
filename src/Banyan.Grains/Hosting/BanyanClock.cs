namespace Banyan.Grains.Hosting;

/// <summary>
/// The clock that decides which data has expired and when segments rotate: a <see cref="TimeProvider"/> registered
/// under <see cref="Key"/> (<see cref="TimeProvider.System"/> unless something registered one before <c>AddBanyan</c>), kept
/// apart from the unkeyed one Orleans and the rest of the silo use, so tests can drive data time with a fake clock
/// without slowing the runtime's own timers.
/// </summary>
public static class BanyanClock
{
    /// <summary>The service key of the data clock.</summary>
    public const string Key = "banyan.data-clock";
}
