namespace Banyan.Silo.Data;

/// <summary>
/// How the host cuts the messages of a bidirectional write stream into grain calls (section <c>Silo:WriteBatching</c>).
/// </summary>
public sealed class WriteBatchingOptions
{
    /// <summary>The most messages in one grain call.</summary>
    public int MaxMessages { get; set; } = 1000;

    /// <summary>
    /// How long a batch may wait for more messages after its first one arrived; when the client pauses longer, the
    /// batch goes with what it has.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Batches of one stream in flight at once (later messages are read meanwhile; beyond this, reading waits).</summary>
    public int MaxInFlight { get; set; } = 16;

    /// <summary>
    /// Whether the batches of this silo's write streams that go to one measure (or stream) while a call for it is in
    /// flight wait and go together in one call (<see cref="SubjectWriteCoalescer"/>); false gives every batch its own call.
    /// </summary>
    public bool JoinStreams { get; set; } = true;

    /// <summary>The most elements (data points, stream elements) of a joined call (a larger single batch still goes whole).</summary>
    public int JoinMaxMessages { get; set; } = 4096;

    /// <summary>
    /// Joined calls per measure (or stream) in flight at once; by default half the silo's cores, at least 1. A call's
    /// planning is CPU work on one thread, so one call in flight is the best on two cores (measured: docs/benchmarks.md,
    /// "Write streams joined per measure"), but would leave most cores of a larger silo idle under one hot measure.
    /// </summary>
    public int JoinCallsInFlight { get; set; } = DefaultJoinCallsInFlight;

    /// <summary>The default of <see cref="JoinCallsInFlight"/> on this machine: half its cores, at least 1.</summary>
    public static int DefaultJoinCallsInFlight => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Checks the settings; the message names the key.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaxMessages < 1)
        {
            throw new ArgumentException($"Silo:WriteBatching:MaxMessages is {MaxMessages}; it must be at least 1.");
        }

        if (Linger < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:WriteBatching:Linger is {Linger}; it must not be negative.");
        }

        if (JoinMaxMessages < 1)
        {
            throw new ArgumentException($"Silo:WriteBatching:JoinMaxMessages is {JoinMaxMessages}; it must be at least 1.");
        }

        if (JoinCallsInFlight < 1)
        {
            throw new ArgumentException($"Silo:WriteBatching:JoinCallsInFlight is {JoinCallsInFlight}; it must be at least 1.");
        }

        if (MaxInFlight < 1)
        {
            throw new ArgumentException($"Silo:WriteBatching:MaxInFlight is {MaxInFlight}; it must be at least 1.");
        }
    }
}
