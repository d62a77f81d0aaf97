using System.Text;
using Banyan.Storage.Values;

namespace Banyan.Storage.Rows;

/// <summary>
/// A series' entity values in its key's order (<see cref="Series.SeriesKey"/>), each as the bytes a string or binary
/// column holds for it (a string's UTF-8, binary as is; null has none), lying in <see cref="Source"/>. Encoded once per
/// series, so restoring a left-out tag (<see cref="EntityOmission"/>) neither encodes a string nor, when the rows' series
/// all lie in one <see cref="SeriesEntityArena"/>, copies it: the column points at the bytes.
/// </summary>
public sealed class SeriesEntityBytes
{
    private readonly SeriesEntityArena? _arena;
    private readonly byte[]? _own; // null in an arena: an entry must not keep the arrays it has outgrown alive
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly TagValueKind[] _kinds;

    private SeriesEntityBytes(SeriesEntityArena? arena, byte[]? own, int[] starts, int[] lengths, TagValueKind[] kinds)
    {
        _arena = arena;
        _own = own;
        _starts = starts;
        _lengths = lengths;
        _kinds = kinds;
    }

    /// <summary>How many entity values the series key holds.</summary>
    public int Count => _kinds.Length;

    /// <summary>
    /// The array the values' bytes lie in: the arena's newest array (it keeps every series' bytes at the same offsets as it
    /// grows), or this entity's own. Never changed where a value lies.
    /// </summary>
    public byte[] Source => _arena?.Bytes ?? _own!;

    /// <summary>The entity values of a series key, encoded into an array of their own.</summary>
    public static SeriesEntityBytes Of(IReadOnlyList<TagValue> entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        byte[] own = new byte[Measure(entity)];
        return Create(null, own, 0, entity);
    }

    /// <summary>The kind of value <paramref name="position"/> (string, binary and null suit a byte column; a number does not).</summary>
    public TagValueKind KindAt(int position) => _kinds[position];

    /// <summary>Where value <paramref name="position"/>'s bytes start in <see cref="Source"/>.</summary>
    public int StartAt(int position) => _starts[position];

    /// <summary>How many bytes value <paramref name="position"/> has; -1 for a null value or a number.</summary>
    public int LengthAt(int position) => _lengths[position];

    // The bytes the values take: UTF-8 of strings, binary as is.
    internal static int Measure(IReadOnlyList<TagValue> entity)
    {
        int bytes = 0;
        foreach (TagValue value in entity)
        {
            bytes += value.Kind switch
            {
                TagValueKind.Str => Encoding.UTF8.GetByteCount(value.Text!),
                TagValueKind.Binary => value.Bytes!.Length,
                _ => 0,
            };
        }

        return bytes;
    }

    // Writes the values' bytes into target from at, and describes where they are.
    internal static SeriesEntityBytes Create(SeriesEntityArena? arena, byte[] target, int at, IReadOnlyList<TagValue> entity)
    {
        int[] starts = new int[entity.Count];
        int[] lengths = new int[entity.Count];
        TagValueKind[] kinds = new TagValueKind[entity.Count];
        for (int i = 0; i < entity.Count; i++)
        {
            TagValue value = entity[i];
            kinds[i] = value.Kind;
            starts[i] = at;
            lengths[i] = -1;
            if (value.Kind == TagValueKind.Str)
            {
                lengths[i] = Encoding.UTF8.GetBytes(value.Text!, target.AsSpan(at));
            }
            else if (value.Kind == TagValueKind.Binary)
            {
                value.Bytes!.CopyTo(target, at);
                lengths[i] = value.Bytes.Length;
            }

            at += Math.Max(0, lengths[i]);
        }

        return new SeriesEntityBytes(arena, arena is null ? target : null, starts, lengths, kinds);
    }
}
