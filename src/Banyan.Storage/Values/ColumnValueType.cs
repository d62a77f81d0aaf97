namespace Banyan.Storage.Values;

/// <summary>
/// The type of a field or tag column; stored as one byte in block headers and column directories.
/// A column has one type; any row of it may be null.
/// </summary>
// The member names are the type names of BanyanDB's tag and field types on purpose (CA1720).
#pragma warning disable CA1720
public enum ColumnValueType : byte
{
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 1,

    /// <summary>IEEE 754 double; every bit pattern round-trips.</summary>
    Float64 = 2,

    /// <summary>UTF-8 string.</summary>
    String = 3,

    /// <summary>Opaque bytes.</summary>
    Binary = 4,

    /// <summary>Array of UTF-8 strings.</summary>
    StringArray = 5,

    /// <summary>Array of signed 64-bit integers.</summary>
    Int64Array = 6,

    /// <summary>Timestamp in nanoseconds since the Unix epoch (stored like <see cref="Int64"/>).</summary>
    Timestamp = 7,
}
#pragma warning restore CA1720

/// <summary>Helpers over <see cref="ColumnValueType"/>.</summary>
public static class ColumnValueTypes
{
    /// <summary>True for types stored as 64-bit integers.</summary>
    public static bool IsInteger(ColumnValueType type) => type is ColumnValueType.Int64 or ColumnValueType.Timestamp;

    /// <summary>True for types stored as variable-length byte strings.</summary>
    public static bool IsBytes(ColumnValueType type) =>
        type is ColumnValueType.String or ColumnValueType.Binary or ColumnValueType.StringArray or ColumnValueType.Int64Array;

    /// <summary>True for a defined type value.</summary>
    public static bool IsDefined(ColumnValueType type) => type >= ColumnValueType.Int64 && type <= ColumnValueType.Timestamp;
}
