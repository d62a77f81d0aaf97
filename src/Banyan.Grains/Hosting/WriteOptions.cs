namespace Banyan.Grains.Hosting;

/// <summary>Settings of the write path (section <c>Silo:Write</c>).</summary>
public sealed class WriteOptions
{
    /// <summary>
    /// How long a write whose <c>metadata.mod_revision</c> is newer than this silo's schema waits for the schema change
    /// to reach the silo's cache before its elements get <c>STATUS_SCHEMA_NOT_APPLIED</c> (BanyanDB waits too).
    /// </summary>
    public TimeSpan SchemaApplyWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (SchemaApplyWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Write:SchemaApplyWait is {SchemaApplyWait}; it must not be negative.");
        }
    }
}
