using System.Globalization;

namespace Banyan.Grains;

/// <summary>
/// The identity of a grain: its grain type (a short name derived from the implementation class,
/// as Orleans does) and its key. Integer keys are kept in their invariant decimal form, so one
/// representation serves both key kinds and the string form round-trips.
/// </summary>
public readonly record struct GrainId
{
    /// <summary>Creates an identity from a grain type name and a key.</summary>
    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
    }

    /// <summary>The grain type name, e.g. <c>counter</c> for class <c>CounterGrain</c>.</summary>
    public string Type { get; }

    /// <summary>The key: the string key, or an integer key in invariant decimal form.</summary>
    public string Key { get; }

    /// <summary>Creates an identity for an integer key.</summary>
    public static GrainId Create(string type, long key) => new(type, key.ToString(CultureInfo.InvariantCulture));

    /// <summary>A stable, process-independent 32-bit hash used by consistent hashing (FNV-1a over UTF-16 code units).</summary>
    public uint GetUniformHashCode() => StableHash.Of(Type, Key);

    /// <inheritdoc/>
    public override string ToString() => Type + "/" + Key;
}
