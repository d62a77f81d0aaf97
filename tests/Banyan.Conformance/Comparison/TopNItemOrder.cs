using Banyan.Api.Model.V1;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Conformance.Comparison;

/// <summary>
/// The order upstream sorts TopN items in before comparing (<c>compareTopNItems</c> in
/// <c>test/cases/topn/data/data.go</c>): by value (int or float, by the first item's type, without converting), then
/// by the entity tags one by one (type rank null &lt; str &lt; int &lt; str_array &lt; int_array &lt; binary &lt;
/// timestamp; only str and int values compare), then shorter entity first.
/// </summary>
public sealed class TopNItemOrder : IComparer<MeasureV1.TopNList.Types.Item>
{
    /// <summary>The one instance.</summary>
    public static readonly TopNItemOrder Instance = new();

    private TopNItemOrder()
    {
    }

    /// <inheritdoc/>
    public int Compare(MeasureV1.TopNList.Types.Item? x, MeasureV1.TopNList.Types.Item? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int byValue = CompareFieldValues(x.Value, y.Value);
        if (byValue != 0)
        {
            return byValue;
        }

        for (int i = 0; i < x.Entity.Count; i++)
        {
            if (i >= y.Entity.Count)
            {
                return 1;
            }

            int byTag = CompareTagValues(x.Entity[i].Value, y.Entity[i].Value);
            if (byTag != 0)
            {
                return byTag;
            }
        }

        return x.Entity.Count < y.Entity.Count ? -1 : 0;
    }

    // compareFieldValues: typed by the left value; the right one read as that type (0 when it is another type).
    private static int CompareFieldValues(FieldValue? a, FieldValue? b) => a?.ValueCase switch
    {
        FieldValue.ValueOneofCase.Float => CompareFloats(a.Float.Value, b?.ValueCase == FieldValue.ValueOneofCase.Float ? b.Float.Value : 0d),
        FieldValue.ValueOneofCase.Int => a.Int.Value.CompareTo(b?.ValueCase == FieldValue.ValueOneofCase.Int ? b.Int.Value : 0L),
        _ => 0,
    };

    // Go's "<" and ">" then 0: NaN compares equal to everything (double.CompareTo would order it first).
    private static int CompareFloats(double a, double b) => a < b ? -1 : a > b ? 1 : 0;

    private static int CompareTagValues(TagValue? a, TagValue? b)
    {
        int rankA = Rank(a), rankB = Rank(b);
        if (rankA != rankB)
        {
            return rankA - rankB;
        }

        return a!.ValueCase switch
        {
            TagValue.ValueOneofCase.Str => Math.Sign(string.CompareOrdinal(a.Str.Value, b!.Str.Value)),
            TagValue.ValueOneofCase.Int => a.Int.Value.CompareTo(b!.Int.Value),
            _ => 0,
        };
    }

    // tagValOrder.
    private static int Rank(TagValue? value) => value?.ValueCase switch
    {
        TagValue.ValueOneofCase.Null => 0,
        TagValue.ValueOneofCase.Str => 1,
        TagValue.ValueOneofCase.Int => 2,
        TagValue.ValueOneofCase.StrArray => 3,
        TagValue.ValueOneofCase.IntArray => 4,
        TagValue.ValueOneofCase.BinaryData => 5,
        TagValue.ValueOneofCase.Timestamp => 6,
        _ => -1,
    };
}
