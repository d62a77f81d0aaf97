using Banyan.Conformance.Cases;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Comparison;

/// <summary>
/// Compares a query response with its want file the way upstream's <c>VerifyFn</c>s do. Each rule and its source:
/// <list type="bullet">
/// <item>All suites: <c>cmp.Equal</c> with <c>protocmp.IgnoreUnknown()</c> and the suite's <c>IgnoreFields</c>, which
/// <c>cases.json</c> lists as <c>ignoreFields</c> (stream <c>Element.timestamp</c>; measure <c>DataPoint.timestamp</c>,
/// <c>version</c>, <c>sid</c>; topn <c>TopNList.timestamp</c>); semantics in <see cref="MessageDiff"/>.</item>
/// <item>Stream (<c>test/cases/stream/data/data.go</c>): <c>ignoreElementID</c> also ignores <c>Element.element_id</c>;
/// <c>disOrder</c> sorts both element lists by <c>element_id</c> (byte-wise string order) before comparing in order.</item>
/// <item>Measure (<c>test/cases/measure/data/data.go</c>): every response data point that has a timestamp must carry
/// <c>version</c> &gt; 0 and <c>sid</c> &gt; 0; <c>disOrder</c> compares the data points as a multiset. Upstream sorts
/// both sides by <c>(sid, timestamp)</c>, but the want files carry neither, so that sort leaves the want in file order
/// and in effect requires the server to list points in upstream's sid order; the fixtures README asks for a multiset
/// instead, which is what the flag means.</item>
/// <item>TopN (<c>test/cases/topn/data/data.go</c>): always sorts the items of every list on both sides with
/// <see cref="TopNItemOrder"/> before comparing.</item>
/// <item><c>wantEmpty</c> (<see cref="CheckEmpty"/>): stream <c>elements</c>, measure <c>data_points</c>, topn
/// <c>lists</c> must be empty.</item>
/// </list>
/// Neither argument is modified.
/// </summary>
public sealed class ResponseComparer
{
    private readonly ConformanceSuite _suite;
    private readonly int _maxDifferences;

    /// <summary>A comparer for <paramref name="suite"/> keeping at most <paramref name="maxDifferences"/> differences per result.</summary>
    public ResponseComparer(ConformanceSuite suite, int maxDifferences = 10)
    {
        ArgumentNullException.ThrowIfNull(suite);
        if (suite.Name is not ("stream" or "measure" or "topn"))
        {
            throw new NotSupportedException($"No comparison rules for the '{suite.Name}' suite yet.");
        }

        _suite = suite;
        _maxDifferences = maxDifferences;
    }

    /// <summary>
    /// The full names of the fields <paramref name="conformanceCase"/> ignores: the suite's <c>ignoreFields</c>, resolved
    /// in the response message's package, plus <c>Element.element_id</c> for a stream case with <c>ignoreElementID</c>.
    /// </summary>
    public IReadOnlySet<string> IgnoredFields(ConformanceCase conformanceCase)
    {
        ArgumentNullException.ThrowIfNull(conformanceCase);
        HashSet<string> fields = new(StringComparer.Ordinal);
        foreach (string field in _suite.IgnoreFields)
        {
            fields.Add(Resolve(field));
        }

        if (conformanceCase.IgnoreElementId)
        {
            fields.Add(Resolve("Element.element_id"));
        }

        return fields;
    }

    /// <summary>Compares <paramref name="actual"/> with <paramref name="want"/> under the rules of <paramref name="conformanceCase"/>.</summary>
    public ComparisonResult Compare(ConformanceCase conformanceCase, IMessage want, IMessage actual)
    {
        ArgumentNullException.ThrowIfNull(want);
        ArgumentNullException.ThrowIfNull(actual);
        MessageDiff diff = new(IgnoredFields(conformanceCase));
        ComparisonResult result = new(_maxDifferences);
        switch (_suite.Name)
        {
            case "stream":
                {
                    StreamV1.QueryResponse expected = ((StreamV1.QueryResponse)want).Clone(), got = ((StreamV1.QueryResponse)actual).Clone();
                    if (conformanceCase.DisOrder)
                    {
                        SortByElementId(expected.Elements);
                        SortByElementId(got.Elements);
                    }

                    diff.Compare(string.Empty, expected, got, result);
                    break;
                }

            case "measure":
                {
                    MeasureV1.QueryResponse expected = ((MeasureV1.QueryResponse)want).Clone(), got = ((MeasureV1.QueryResponse)actual).Clone();
                    RequireVersionAndSid(got, result);
                    if (conformanceCase.DisOrder)
                    {
                        CompareAsMultiset(diff, expected.DataPoints, got.DataPoints, result);
                        expected.DataPoints.Clear();
                        got.DataPoints.Clear();
                    }

                    diff.Compare(string.Empty, expected, got, result);
                    break;
                }

            default:
                {
                    MeasureV1.TopNResponse expected = ((MeasureV1.TopNResponse)want).Clone(), got = ((MeasureV1.TopNResponse)actual).Clone();
                    SortTopNItems(expected);
                    SortTopNItems(got);
                    diff.Compare(string.Empty, expected, got, result);
                    break;
                }
        }

        return result;
    }

    /// <summary>The <c>wantEmpty</c> check: the suite's result list must have no item.</summary>
    public ComparisonResult CheckEmpty(IMessage actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ComparisonResult result = new(_maxDifferences);
        (string path, System.Collections.IList items) = actual switch
        {
            StreamV1.QueryResponse stream => ("elements", (System.Collections.IList)stream.Elements),
            MeasureV1.QueryResponse measure => ("data_points", measure.DataPoints),
            MeasureV1.TopNResponse topN => ("lists", topN.Lists),
            _ => throw new ArgumentException($"{actual.Descriptor.FullName} is not a {_suite.Name} response.", nameof(actual)),
        };
        if (items.Count > 0)
        {
            result.Add(path, "0 items (wantEmpty)", $"{items.Count} items, the first {ValueText.Of(items[0])}");
        }

        return result;
    }

    private string Resolve(string field)
    {
        string[] parts = field.Split('.');
        if (parts.Length != 2)
        {
            throw new FormatException($"cases.json {_suite.Name}: ignoreFields entry '{field}' is not 'Message.field'.");
        }

        string messageName = $"{_suite.ResponseType.File.Package}.{parts[0]}";
        MessageDescriptor message = Fixtures.ApiMessageTypes.Find(messageName);
        FieldDescriptor found = message.FindFieldByName(parts[1])
            ?? throw new FormatException($"cases.json {_suite.Name}: ignoreFields entry '{field}': {messageName} has no field '{parts[1]}'.");
        return found.FullName;
    }

    // Stable, so equal ids keep each side's order (Go's slices.SortFunc leaves ties unspecified).
    private static void SortByElementId(Google.Protobuf.Collections.RepeatedField<StreamV1.Element> elements)
    {
        List<StreamV1.Element> sorted = [.. elements.OrderBy(e => e.ElementId, StringComparer.Ordinal)];
        elements.Clear();
        elements.Add(sorted);
    }

    private static void SortTopNItems(MeasureV1.TopNResponse response)
    {
        foreach (MeasureV1.TopNList list in response.Lists)
        {
            List<MeasureV1.TopNList.Types.Item> sorted = [.. list.Items.OrderBy(i => i, TopNItemOrder.Instance)];
            list.Items.Clear();
            list.Items.Add(sorted);
        }
    }

    // Upstream: "for i := range resp.DataPoints { if Timestamp != nil { Expect(Version > 0); Expect(Sid > 0) } }".
    private static void RequireVersionAndSid(MeasureV1.QueryResponse response, ComparisonResult result)
    {
        for (int i = 0; i < response.DataPoints.Count; i++)
        {
            MeasureV1.DataPoint point = response.DataPoints[i];
            if (point.Timestamp is null)
            {
                continue;
            }

            if (point.Version <= 0)
            {
                result.Add($"data_points[{i}].version", "> 0 (a data point with a timestamp carries its version)", point.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (point.Sid == 0)
            {
                result.Add($"data_points[{i}].sid", "> 0 (a data point with a timestamp carries its series id)", "0");
            }
        }
    }

    // Exact matches first; what is left is paired by fewest differences so the report shows what differs in each.
    private static void CompareAsMultiset(MessageDiff diff, Google.Protobuf.Collections.RepeatedField<MeasureV1.DataPoint> want, Google.Protobuf.Collections.RepeatedField<MeasureV1.DataPoint> actual, ComparisonResult result)
    {
        bool[] used = new bool[actual.Count];
        List<int> unmatchedWant = [];
        for (int w = 0; w < want.Count; w++)
        {
            int match = -1;
            for (int a = 0; a < actual.Count && match < 0; a++)
            {
                if (!used[a] && diff.CountDifferences(want[w], actual[a]) == 0)
                {
                    match = a;
                }
            }

            if (match >= 0)
            {
                used[match] = true;
            }
            else
            {
                unmatchedWant.Add(w);
            }
        }

        if (want.Count != actual.Count)
        {
            result.Add("data_points", $"{want.Count} items (any order)", $"{actual.Count} items");
        }

        foreach (int w in unmatchedWant)
        {
            int best = -1, bestCount = int.MaxValue;
            for (int a = 0; a < actual.Count; a++)
            {
                int count = used[a] ? int.MaxValue : diff.CountDifferences(want[w], actual[a]);
                if (count < bestCount)
                {
                    (best, bestCount) = (a, count);
                }
            }

            if (best < 0)
            {
                result.Add($"data_points[want {w}]", ValueText.Of(want[w]), "(no such data point in the response)");
                continue;
            }

            used[best] = true;
            diff.Compare($"data_points[want {w} ~ actual {best}]", want[w], actual[best], result);
        }

        for (int a = 0; a < actual.Count; a++)
        {
            if (!used[a])
            {
                result.Add($"data_points[actual {a}]", "(not in the want file)", ValueText.Of(actual[a]));
            }
        }
    }
}
