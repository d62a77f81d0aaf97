using System.Text;

namespace Banyan.Storage.Values;

/// <summary>
/// An engine-level tag value: the storage engine's own model of BanyanDB's <c>model.v1.TagValue</c>
/// (the grain layer translates the protobuf message into this). Immutable.
/// </summary>
/// <remarks>
/// For filtering, every value is seen as a set of <em>atoms</em>: a scalar is one atom, an array
/// contributes each element, null contributes none. See <c>docs/indexing.md</c>.
/// </remarks>
public sealed class TagValue : IEquatable<TagValue>
{
    private static readonly string[] s_noStrings = [];
    private static readonly long[] s_noLongs = [];

    private TagValue(TagValueKind kind, string? text, long number, byte[]? bytes, string[]? strings, long[]? numbers)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Bytes = bytes;
        Strings = strings ?? s_noStrings;
        Numbers = numbers ?? s_noLongs;
    }

    /// <summary>The null value.</summary>
    public static TagValue Null { get; } = new(TagValueKind.Null, null, 0, null, null, null);

    /// <summary>The kind of this value.</summary>
    public TagValueKind Kind { get; }

    /// <summary>The string, for <see cref="TagValueKind.Str"/>; otherwise null.</summary>
    public string? Text { get; }

    /// <summary>The integer for <see cref="TagValueKind.Number"/>, or epoch nanoseconds for <see cref="TagValueKind.Timestamp"/>.</summary>
    public long Number { get; }

    /// <summary>The bytes, for <see cref="TagValueKind.Binary"/>; otherwise null.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The elements, for <see cref="TagValueKind.StrArray"/>; otherwise empty.</summary>
    public IReadOnlyList<string> Strings { get; }

    /// <summary>The elements, for <see cref="TagValueKind.IntArray"/>; otherwise empty.</summary>
    public IReadOnlyList<long> Numbers { get; }

    /// <summary>True for the two array kinds.</summary>
    public bool IsArray => Kind is TagValueKind.StrArray or TagValueKind.IntArray;

    /// <summary>A string value.</summary>
    public static TagValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(TagValueKind.Str, value, 0, null, null, null);
    }

    /// <summary>An int64 value.</summary>
    public static TagValue FromInt64(long value) => new(TagValueKind.Number, null, value, null, null, null);

    /// <summary>A timestamp value in nanoseconds since the Unix epoch.</summary>
    public static TagValue FromTimestampNanos(long epochNanos) => new(TagValueKind.Timestamp, null, epochNanos, null, null, null);

    /// <summary>A binary value (the array is copied).</summary>
    public static TagValue FromBinary(ReadOnlySpan<byte> value) => new(TagValueKind.Binary, null, 0, value.ToArray(), null, null);

    /// <summary>A string array value (the array is copied).</summary>
    public static TagValue FromStringArray(IReadOnlyCollection<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = new string[values.Count];
        int i = 0;
        foreach (string s in values)
        {
            copy[i++] = s ?? throw new ArgumentException("string array elements must not be null", nameof(values));
        }

        return new(TagValueKind.StrArray, null, 0, null, copy, null);
    }

    /// <summary>An int64 array value (the array is copied).</summary>
    public static TagValue FromInt64Array(IReadOnlyCollection<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = new long[values.Count];
        int i = 0;
        foreach (long v in values)
        {
            copy[i++] = v;
        }

        return new(TagValueKind.IntArray, null, 0, null, null, copy);
    }

    /// <summary>Number of atoms this value contributes to filtering (0 for null).</summary>
    public int AtomCount => Kind switch
    {
        TagValueKind.Null => 0,
        TagValueKind.StrArray => Strings.Count,
        TagValueKind.IntArray => Numbers.Count,
        _ => 1,
    };

    /// <summary>The atom at <paramref name="index"/> as a scalar value (an array element, or the value itself).</summary>
    public TagValue AtomAt(int index) => Kind switch
    {
        TagValueKind.StrArray => FromString(Strings[index]),
        TagValueKind.IntArray => FromInt64(Numbers[index]),
        TagValueKind.Null => throw new ArgumentOutOfRangeException(nameof(index), "a null value has no atoms"),
        _ => index == 0 ? this : throw new ArgumentOutOfRangeException(nameof(index), "a scalar value has one atom"),
    };

    /// <inheritdoc />
    public bool Equals(TagValue? other)
    {
        if (other is null || other.Kind != Kind)
        {
            return false;
        }

        return Kind switch
        {
            TagValueKind.Null => true,
            TagValueKind.Str => string.Equals(Text, other.Text, StringComparison.Ordinal),
            TagValueKind.Number or TagValueKind.Timestamp => Number == other.Number,
            TagValueKind.Binary => Bytes.AsSpan().SequenceEqual(other.Bytes),
            TagValueKind.StrArray => Strings.SequenceEqual(other.Strings, StringComparer.Ordinal),
            TagValueKind.IntArray => Numbers.SequenceEqual(other.Numbers),
            _ => false,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TagValue);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Text, StringComparer.Ordinal);
        hash.Add(Number);
        if (Bytes is not null)
        {
            hash.AddBytes(Bytes);
        }

        foreach (string s in Strings)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        foreach (long n in Numbers)
        {
            hash.Add(n);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        TagValueKind.Null => "null",
        TagValueKind.Str => $"\"{Text}\"",
        TagValueKind.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TagValueKind.Timestamp => $"ts({Number.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
        TagValueKind.Binary => Convert.ToHexString(Bytes!),
        TagValueKind.StrArray => "[" + string.Join(",", Strings.Select(s => $"\"{s}\"")) + "]",
        TagValueKind.IntArray => "[" + string.Join(",", Numbers) + "]",
        _ => Kind.ToString(),
    };

    /// <summary>UTF-8 bytes of a string value (helper for encoders).</summary>
    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
