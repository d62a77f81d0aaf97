using System.Globalization;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// The text a point's group-by values make, as BanyanDB writes it into its result series (<c>measure.Stringify</c>
/// and <c>GroupName</c> in <c>banyand/measure/topn.go</c>): strings as they are, integers in decimal, bytes in base64,
/// arrays joined with <c>,</c>, null (a missing tag) as the empty string; several values joined with <c>|</c>. A TopN
/// query's conditions select a list by the same text, so <c>null</c> and <c>""</c> select the same list.
/// </summary>
internal static class TopNGroupKey
{
    /// <summary>The text of one value (null: absent).</summary>
    public static string Of(TagValue? value) => value is null ? string.Empty : value.Kind switch
    {
        TagValueKind.Str => value.Text ?? string.Empty,
        TagValueKind.Number => value.Number.ToString(CultureInfo.InvariantCulture),
        TagValueKind.Binary => Convert.ToBase64String(value.Bytes ?? []),
        TagValueKind.StrArray => string.Join(',', value.Strings),
        TagValueKind.IntArray => string.Join(',', value.Numbers.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        _ => string.Empty,
    };

    /// <summary>The key of several values' texts.</summary>
    public static string Join(IEnumerable<string> parts) => string.Join('|', parts);
}
