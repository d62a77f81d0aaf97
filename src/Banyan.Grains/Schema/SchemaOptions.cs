namespace Banyan.Grains.Schema;

/// <summary>Settings of the schema catalog and the per-silo caches (section <c>Silo:Schema</c>).</summary>
public sealed class SchemaOptions
{
    /// <summary>
    /// How long a catalog change waits for one silo's cache to apply it. A silo that does not answer in time is logged and
    /// skipped (the change still returns); it loads the whole catalog when it starts again.
    /// </summary>
    public TimeSpan CachePushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a starting silo tries to load the catalog before it starts serving without it (logged as an error).</summary>
    public TimeSpan StartupLoadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Checks that both periods are positive.</summary>
    /// <exception cref="ArgumentException">A period is zero or negative; the message names the key.</exception>
    public void Validate()
    {
        if (CachePushTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Schema:CachePushTimeout is {CachePushTimeout}; it must be positive.");
        }

        if (StartupLoadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Schema:StartupLoadTimeout is {StartupLoadTimeout}; it must be positive.");
        }
    }
}
