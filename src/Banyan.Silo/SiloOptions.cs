namespace Banyan.Silo;

/// <summary>
/// Settings of one silo, read from the <c>Silo</c> section of <c>silo-config/silo.json</c>,
/// environment variables (<c>Silo__HttpUrl</c>) or the command line (<c>--Silo:HttpUrl=...</c>).
/// The defaults are the embedded single-silo setup: loopback only, a local data folder.
/// </summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Silo";

    /// <summary>Where the HTTP/JSON API listens. Loopback by default so a fresh silo is not exposed.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:17913";

    /// <summary>Root folder of all data this silo stores (groups, segments, shards, grain state).</summary>
    public string DataRoot { get; set; } = "data";
}
