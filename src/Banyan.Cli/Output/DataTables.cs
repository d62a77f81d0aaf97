using System.Globalization;
using Banyan.Api.Model.V1;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Cli.Output;

/// <summary>
/// Query and TopN answers as tables: one row per element or data point, one column per projected tag (named
/// <c>family.tag</c> only where two families share a tag name) and per field.
/// </summary>
public static class DataTables
{
    /// <summary>A stream query's elements.</summary>
    public static void Write(ResultWriter output, StreamV1.QueryResponse response)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Elements.Count == 0)
        {
            output.WriteLine("no elements in the time range");
            return;
        }

        List<(string Family, string Tag)> tags = TagColumns(response.Elements.Select(e => e.TagFamilies));
        List<string> headers = ["TIMESTAMP", "ELEMENT ID", .. TagHeaders(tags)];
        output.WriteTable(headers, response.Elements.Select(e =>
            (IReadOnlyList<string>)[ValueText.Of(e.Timestamp), e.ElementId, .. TagCells(tags, e.TagFamilies)]));
        output.WriteLine($"{response.Elements.Count} element{(response.Elements.Count == 1 ? string.Empty : "s")}");
    }

    /// <summary>A measure query's data points.</summary>
    public static void Write(ResultWriter output, MeasureV1.QueryResponse response)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(response);
        if (response.DataPoints.Count == 0)
        {
            output.WriteLine("no data points in the time range");
            return;
        }

        List<(string Family, string Tag)> tags = TagColumns(response.DataPoints.Select(p => p.TagFamilies));
        List<string> fields = [];
        foreach (MeasureV1.DataPoint point in response.DataPoints)
        {
            foreach (MeasureV1.DataPoint.Types.Field field in point.Fields)
            {
                if (!fields.Contains(field.Name))
                {
                    fields.Add(field.Name);
                }
            }
        }

        List<string> headers = ["TIMESTAMP", .. TagHeaders(tags), .. fields, "VERSION"];
        output.WriteTable(headers, response.DataPoints.Select(p =>
            (IReadOnlyList<string>)
            [
                ValueText.Of(p.Timestamp), .. TagCells(tags, p.TagFamilies),
                .. fields.Select(f => ValueText.Of(p.Fields.FirstOrDefault(x => x.Name == f)?.Value)),
                p.Version.ToString(CultureInfo.InvariantCulture),
            ]));
        output.WriteLine($"{response.DataPoints.Count} data point{(response.DataPoints.Count == 1 ? string.Empty : "s")}");
    }

    /// <summary>A TopN answer: one row per item, ranked within its list.</summary>
    public static void Write(ResultWriter output, MeasureV1.TopNResponse response)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(response);
        int items = response.Lists.Sum(l => l.Items.Count);
        if (items == 0)
        {
            output.WriteLine("no TopN items in the time range");
            return;
        }

        List<IReadOnlyList<string>> rows = [];
        foreach (MeasureV1.TopNList list in response.Lists)
        {
            int rank = 0;
            foreach (MeasureV1.TopNList.Types.Item item in list.Items)
            {
                rank++;
                string entity = string.Join(", ", item.Entity.Select(t => $"{t.Key}={ValueText.Of(t.Value)}"));
                rows.Add([ValueText.Of(list.Timestamp), rank.ToString(CultureInfo.InvariantCulture), entity, ValueText.Of(item.Value)]);
            }
        }

        output.WriteTable(["TIMESTAMP", "RANK", "ENTITY", "VALUE"], rows);
        output.WriteLine($"{response.Lists.Count} list{(response.Lists.Count == 1 ? string.Empty : "s")}, {items} item{(items == 1 ? string.Empty : "s")}");
    }

    private static List<(string Family, string Tag)> TagColumns(IEnumerable<IEnumerable<TagFamily>> rows)
    {
        List<(string Family, string Tag)> columns = [];
        foreach (IEnumerable<TagFamily> families in rows)
        {
            foreach (TagFamily family in families)
            {
                foreach (Tag tag in family.Tags)
                {
                    if (!columns.Contains((family.Name, tag.Key)))
                    {
                        columns.Add((family.Name, tag.Key));
                    }
                }
            }
        }

        return columns;
    }

    private static IEnumerable<string> TagHeaders(List<(string Family, string Tag)> tags) =>
        tags.Select(t => tags.Count(o => o.Tag == t.Tag) > 1 ? $"{t.Family}.{t.Tag}" : t.Tag);

    private static IEnumerable<string> TagCells(List<(string Family, string Tag)> tags, IEnumerable<TagFamily> families)
    {
        List<TagFamily> list = [.. families];
        return tags.Select(t => ValueText.Of(list.FirstOrDefault(f => f.Name == t.Family)?.Tags.FirstOrDefault(x => x.Key == t.Tag)?.Value));
    }
}
