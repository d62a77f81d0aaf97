namespace Banyan.Grains.Hosting;

/// <summary>Settings of the write path (section <c>Silo:Write</c>).</summary>
public sealed class WriteOptions
{
    /// <summary>
    /// How long a write whose <c>metadata.mod_revision</c> is newer than this silo's schema waits for the schema change
    /// to reach the silo's cache before its elements get <c>STATUS_SCHEMA_NOT_APPLIED</c> (BanyanDB waits too).
    /// </summary>
    public TimeSpan SchemaApplyWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the shard writes of this silo's write streams are joined per shard and subject (<see cref="Writes.ShardWriteCoalescer"/>):
    /// at most <see cref="ShardWriteCallsInFlight"/> grain calls per shard and subject at once, the rows arriving meanwhile
    /// sent together in the next. On by default; off sends every write stream's sub-batch in its own call.
    /// </summary>
    public bool ShardWriteCoalescing { get; set; } = true;

    /// <summary>The most rows a joined shard write carries (default 8192); a single larger sub-batch still goes whole.</summary>
    public int ShardWriteMaxRows { get; set; } = 8192;

    /// <summary>Joined shard-write calls per shard and subject in flight at once (default 1).</summary>
    public int ShardWriteCallsInFlight { get; set; } = 1;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (SchemaApplyWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Write:SchemaApplyWait is {SchemaApplyWait}; it must not be negative.");
        }

        if (ShardWriteMaxRows < 1)
        {
            throw new ArgumentException($"Silo:Write:ShardWriteMaxRows is {ShardWriteMaxRows}; it must be at least 1.");
        }

        if (ShardWriteCallsInFlight < 1)
        {
            throw new ArgumentException($"Silo:Write:ShardWriteCallsInFlight is {ShardWriteCallsInFlight}; it must be at least 1.");
        }
    }
}
