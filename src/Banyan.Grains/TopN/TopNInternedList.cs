namespace Banyan.Grains.TopN;

/// <summary>
/// One stored list's items as arrays, best first as the list stores them: each item's entity as an id of
/// <see cref="Table"/> and its value. Made once when the list joins <see cref="TopNListCache"/> (which walks, and so
/// checks, the list's bytes then); a query merges it without reading the bytes again.
/// </summary>
/// <param name="Table">The table the ids are of.</param>
/// <param name="EntityIds">Each item's entity id.</param>
/// <param name="Values">Each item's value: the integer, or the double's bits for a FLOAT list.</param>
/// <param name="IsFloat">True for a FLOAT list.</param>
internal sealed record TopNInternedList(TopNEntityTable Table, int[] EntityIds, long[] Values, bool IsFloat)
{
    /// <summary>Bytes of the two arrays.</summary>
    public long Bytes => (EntityIds.Length * sizeof(int)) + (Values.Length * sizeof(long));

    /// <summary>Item <paramref name="index"/>'s value.</summary>
    public TopNRank ValueAt(int index) => IsFloat ? TopNRank.OfFloat(BitConverter.Int64BitsToDouble(Values[index])) : TopNRank.OfInt(Values[index]);

    /// <summary>The items of the list in <paramref name="bytes"/> (<paramref name="where"/> names it in errors), their entities interned in <paramref name="table"/>.</summary>
    /// <exception cref="Banyan.Storage.StorageCorruptionException">The bytes are damaged.</exception>
    public static TopNInternedList Of(ReadOnlySpan<byte> bytes, string where, TopNEntityTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        TopNListReader reader = TopNListReader.Open(bytes, where);
        try
        {
            var ids = new int[reader.Count];
            var values = new long[reader.Count];
            int i = 0;
            while (reader.MoveNext())
            {
                ids[i] = table.Intern(reader.Entity);
                TopNRank value = reader.Value;
                values[i] = reader.IsFloat ? BitConverter.DoubleToInt64Bits(value.Float) : value.Int;
                i++;
            }

            return new TopNInternedList(table, ids, values, reader.IsFloat);
        }
        finally
        {
            reader.Dispose();
        }
    }
}
