namespace Banyan.Storage.Values;

/// <summary>
/// The kind of a <see cref="TagValue"/>. The numeric values of the scalar kinds are BanyanDB's
/// value-type bytes (<c>pkg/pb/v1/value.go</c>), which the series key and the index terms reuse.
/// </summary>
public enum TagValueKind : byte
{
    /// <summary>No value (the tag is absent or explicitly null).</summary>
    Null = 0,

    /// <summary>A UTF-8 string.</summary>
    Str = 1,

    /// <summary>A signed 64-bit integer.</summary>
    Number = 2,

    /// <summary>Opaque bytes.</summary>
    Binary = 4,

    /// <summary>An array of strings.</summary>
    StrArray = 5,

    /// <summary>An array of signed 64-bit integers.</summary>
    IntArray = 6,

    /// <summary>A point in time, as nanoseconds since the Unix epoch (UTC).</summary>
    Timestamp = 7,
}
