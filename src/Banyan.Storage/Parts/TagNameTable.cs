using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;

namespace Banyan.Storage.Parts;

/// <summary>
/// The tag names of one tag family of a part of format 3 and later, numbered in the order the writer first met them.
/// Block directories (<c>.tfm</c>) refer to a tag by its number instead of repeating its name in every block; the
/// tables of all families are written once, after the chunk entries in <c>meta.bin</c> (docs/format/meta.bin.md).
/// </summary>
public sealed class TagNameTable
{
    /// <summary>Most names one family's table may hold (the block directory's column limit).</summary>
    public const int MaxNames = BlockHeaderCodec.MaxColumns;

    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);

    /// <summary>The names, by number.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The number of <paramref name="name"/>, given to it now if it has none yet.</summary>
    public int NumberOf(string name)
    {
        if (!_numbers.TryGetValue(name, out int number))
        {
            if (_names.Count == MaxNames)
            {
                throw new InvalidOperationException($"a tag family of one part may hold at most {MaxNames} tag names");
            }

            number = _names.Count;
            _names.Add(name);
            _numbers.Add(name, number);
        }

        return number;
    }

    /// <summary>Appends the tables of <paramref name="families"/> (in ordinal order of family name) as meta.bin holds them.</summary>
    public static void WriteAll(IEnumerable<KeyValuePair<string, TagNameTable>> families, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(output);
        KeyValuePair<string, TagNameTable>[] ordered = [.. families.OrderBy(f => f.Key, StringComparer.Ordinal)];
        output.WriteVarUInt64((ulong)ordered.Length);
        foreach ((string family, TagNameTable table) in ordered)
        {
            output.WriteString(family);
            output.WriteVarUInt64((ulong)table._names.Count);
            foreach (string name in table._names)
            {
                output.WriteString(name);
            }
        }
    }

    /// <summary>
    /// Reads the tables written by <see cref="WriteAll"/>; they must be those of <paramref name="families"/> (the part's
    /// metadata.json list), in that order, each name valid and given once. Offsets in errors are within the payload.
    /// </summary>
    public static Dictionary<string, string[]> ReadAll(ref SpanReader reader, IReadOnlyList<string> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        int start = reader.Position;
        int count = reader.ReadLength(MaxNames);
        if (count != families.Count)
        {
            EncodingCorruption.Throw(start, $"tag name tables of {count} families, metadata.json lists {families.Count}");
        }

        var tables = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (int f = 0; f < count; f++)
        {
            int familyOffset = reader.Position;
            string family = reader.ReadString(ColumnBuffer.MaxNameBytes);
            if (family != families[f])
            {
                EncodingCorruption.Throw(familyOffset, $"tag name table {f} is of family '{family}', metadata.json lists '{families[f]}'");
            }

            string[] names = new string[reader.ReadLength(MaxNames)];
            var seen = new HashSet<string>(names.Length, StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                int nameOffset = reader.Position;
                names[i] = reader.ReadString(ColumnBuffer.MaxNameBytes);
                if (names[i].Length == 0 || !seen.Add(names[i]))
                {
                    EncodingCorruption.Throw(nameOffset, $"tag name {i} of family '{family}' is empty or given twice");
                }
            }

            tables.Add(family, names);
        }

        return tables;
    }
}
