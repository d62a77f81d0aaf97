using Banyan.Api.Model.V1;
using Banyan.Conformance.Cases;
using Banyan.Conformance.Comparison;
using Banyan.Conformance.Running;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// The comparison rules on real want files: a want equals itself; perturbations fail with a useful path; ignored
/// fields, disOrder and the topn sort tolerate exactly what upstream tolerates.
/// </summary>
public sealed class ComparisonRuleTests
{
    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    private static ConformanceSuite Suite(string name) => s_fixtures.Cases.Get(name);

    private static T Want<T>(string suite, string caseName)
        where T : IMessage => (T)CaseRequests.ReadWant(s_fixtures, Suite(suite), Suite(suite).Get(caseName));

    private static ComparisonResult Compare(string suite, ConformanceCase c, IMessage want, IMessage actual) =>
        new ResponseComparer(Suite(suite)).Compare(c, want, actual);

    private static ConformanceCase Case(string suite, string name) => Suite(suite).Get(name);

    [Theory]
    [InlineData("stream")]
    [InlineData("measure")]
    [InlineData("topn")]
    public void Every_want_equals_itself(string suite)
    {
        List<string> failures = [];
        foreach (ConformanceCase c in Suite(suite).Cases.Where(c => !c.WantErr && !c.WantEmpty))
        {
            IMessage want = CaseRequests.ReadWant(s_fixtures, Suite(suite), c);
            IMessage actual = want.Descriptor.Parser.ParseFrom(want.ToByteString());
            if (actual is MeasureV1.QueryResponse measure)
            {
                // A server's points carry version and sid (required when a timestamp is present).
                foreach (MeasureV1.DataPoint point in measure.DataPoints)
                {
                    point.Version = 1;
                    point.Sid = 1;
                }
            }

            ComparisonResult result = Compare(suite, c, want, actual);
            if (!result.Equal)
            {
                failures.Add($"{c.Name}: {result.Summary()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void A_perturbed_tag_value_fails_at_its_path()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Elements[1].TagFamilies[0].Tags[0].Value.Str.Value = "two";

        ComparisonResult result = Compare("stream", Case("stream", "all elements"), want, actual);

        Difference difference = Assert.Single(result.Differences);
        Assert.Equal("elements[1].tag_families[0](searchable).tags[0](trace_id).value.str.value", difference.Path);
        Assert.Equal(("\"2\"", "\"two\""), (difference.Expected, difference.Actual));
    }

    [Fact]
    public void A_changed_oneof_case_fails_at_the_oneof()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Elements[0].TagFamilies[0].Tags[0].Value = new TagValue { Int = new Int { Value = 1 } };

        Difference difference = Assert.Single(Compare("stream", Case("stream", "all elements"), want, actual).Differences);

        Assert.Equal("elements[0].tag_families[0](searchable).tags[0](trace_id).value.value", difference.Path);
        Assert.Equal("str: { \"value\": \"1\" }", difference.Expected);
        Assert.Equal("int: { \"value\": \"1\" }", difference.Actual);
    }

    [Fact]
    public void A_missing_element_fails_with_the_count_and_the_missing_item()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Elements.RemoveAt(actual.Elements.Count - 1);

        ComparisonResult result = Compare("stream", Case("stream", "all elements"), want, actual);

        Assert.Equal(2, result.Count);
        Assert.Equal(new Difference("elements", $"{want.Elements.Count} items", $"{actual.Elements.Count} items"), result.Differences[0]);
        Assert.Equal($"elements[{want.Elements.Count - 1}]", result.Differences[1].Path);
        Assert.Equal("(missing)", result.Differences[1].Actual);
        Assert.Contains(want.Elements[^1].ElementId, result.Differences[1].Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extra_element_fails_with_the_extra_item()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Elements.Add(new StreamV1.Element { ElementId = "ffffffffffffffff" });

        ComparisonResult result = Compare("stream", Case("stream", "all elements"), want, actual);

        Assert.Equal(2, result.Count);
        Assert.Equal($"elements[{want.Elements.Count}]", result.Differences[1].Path);
        Assert.Equal("(none)", result.Differences[1].Expected);
        Assert.Contains("ffffffffffffffff", result.Differences[1].Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reordered_list_fails_without_disOrder_and_passes_with_it()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "duplicated all elements");
        StreamV1.QueryResponse actual = want.Clone();
        List<StreamV1.Element> reversed = [.. actual.Elements.Reverse()];
        actual.Elements.Clear();
        actual.Elements.Add(reversed);
        ConformanceCase disOrder = Case("stream", "duplicated all elements");
        Assert.True(disOrder.DisOrder);

        ComparisonResult ordered = Compare("stream", disOrder with { DisOrder = false }, want, actual);
        Assert.False(ordered.Equal);
        Assert.Equal("elements[0].element_id", ordered.Differences[0].Path);

        Assert.True(Compare("stream", disOrder, want, actual).Equal);
    }

    [Fact]
    public void Stream_ignores_timestamps_and_element_ids_only_when_told()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Elements[0].Timestamp = new Timestamp { Seconds = 12345 };
        ConformanceCase all = Case("stream", "all elements");
        Assert.True(Compare("stream", all, want, actual).Equal);

        actual.Elements[0].ElementId = "0000000000000000";
        Difference difference = Assert.Single(Compare("stream", all, want, actual).Differences);
        Assert.Equal("elements[0].element_id", difference.Path);
        Assert.True(Compare("stream", all with { IgnoreElementId = true }, want, actual).Equal);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        // Field 999 (varint 7) is unknown to QueryResponse: a newer server's field.
        byte[] withUnknown = [.. want.ToByteArray(), 0xB8, 0x3E, 0x07];
        StreamV1.QueryResponse actual = StreamV1.QueryResponse.Parser.ParseFrom(withUnknown);
        Assert.NotEqual(want, actual);

        Assert.True(Compare("stream", Case("stream", "all elements"), want, actual).Equal);
    }

    [Fact]
    public void A_set_empty_message_differs_from_an_unset_one()
    {
        StreamV1.QueryResponse want = Want<StreamV1.QueryResponse>("stream", "all elements");
        StreamV1.QueryResponse actual = want.Clone();
        actual.Trace = new Banyan.Api.Common.V1.Trace();

        Difference difference = Assert.Single(Compare("stream", Case("stream", "all elements"), want, actual).Differences);
        Assert.Equal(("trace", "(not set)"), (difference.Path, difference.Expected));
    }

    [Fact]
    public void Measure_ignores_timestamp_version_and_sid()
    {
        MeasureV1.QueryResponse want = Want<MeasureV1.QueryResponse>("measure", "all");
        MeasureV1.QueryResponse actual = want.Clone();
        foreach (MeasureV1.DataPoint point in actual.DataPoints)
        {
            point.Timestamp = new Timestamp { Seconds = 1_785_579_600 };
            point.Version = 42;
            point.Sid = 7_941_974_329_620_232_473;
        }

        Assert.True(Compare("measure", Case("measure", "all"), want, actual).Equal);
    }

    [Fact]
    public void Measure_points_with_a_timestamp_need_a_version_and_a_sid()
    {
        MeasureV1.QueryResponse want = Want<MeasureV1.QueryResponse>("measure", "all");
        MeasureV1.QueryResponse actual = want.Clone();
        foreach (MeasureV1.DataPoint point in actual.DataPoints)
        {
            (point.Version, point.Sid) = (1, 1);
        }

        Assert.True(Compare("measure", Case("measure", "all"), want, actual).Equal);
        actual.DataPoints[0].Timestamp = new Timestamp { Seconds = 1_785_579_600 };
        actual.DataPoints[0].Version = 0;
        actual.DataPoints[0].Sid = 0;

        ComparisonResult result = Compare("measure", Case("measure", "all"), want, actual);

        Assert.Equal(["data_points[0].version", "data_points[0].sid"], result.Differences.Select(d => d.Path));
    }

    [Fact]
    public void Measure_disOrder_is_a_multiset()
    {
        ConformanceCase entity = Case("measure", "filter by several entity ids");
        Assert.True(entity.DisOrder);
        MeasureV1.QueryResponse want = Want<MeasureV1.QueryResponse>("measure", entity.Name);
        Assert.True(want.DataPoints.Count >= 2);
        MeasureV1.QueryResponse actual = want.Clone();
        List<MeasureV1.DataPoint> reversed = [.. actual.DataPoints.Reverse()];
        actual.DataPoints.Clear();
        actual.DataPoints.Add(reversed);

        Assert.True(Compare("measure", entity, want, actual).Equal);
        Assert.False(Compare("measure", entity with { DisOrder = false }, want, actual).Equal);

        // A changed value is paired with its closest point and shown field by field.
        actual.DataPoints[0].TagFamilies[0].Tags[1].Value.Str.Value = "renamed";
        ComparisonResult changed = Compare("measure", entity, want, actual);
        Difference difference = Assert.Single(changed.Differences);
        Assert.Equal($"data_points[want {want.DataPoints.Count - 1} ~ actual 0].tag_families[0](default).tags[1](short_name).value.str.value", difference.Path);
        Assert.Equal("\"renamed\"", difference.Actual);

        // A duplicate counts: multisets, not sets.
        MeasureV1.QueryResponse duplicated = want.Clone();
        duplicated.DataPoints.Add(want.DataPoints[0].Clone());
        ComparisonResult extra = Compare("measure", entity, want, duplicated);
        Assert.Equal("data_points", extra.Differences[0].Path);
        Assert.Equal($"data_points[actual {want.DataPoints.Count}]", extra.Differences[1].Path);

        // A missing point is named by its index in the want.
        MeasureV1.QueryResponse missing = want.Clone();
        missing.DataPoints.RemoveAt(0);
        Assert.Equal("data_points[want 0]", Compare("measure", entity, want, missing).Differences[1].Path);
    }

    [Fact]
    public void TopN_items_are_always_sorted_by_value_then_entity()
    {
        ConformanceCase aggr = Case("topn", "max top3 order by desc");
        MeasureV1.TopNResponse want = Want<MeasureV1.TopNResponse>("topn", aggr.Name);
        MeasureV1.TopNResponse actual = want.Clone();
        foreach (MeasureV1.TopNList list in actual.Lists)
        {
            List<MeasureV1.TopNList.Types.Item> reversed = [.. list.Items.Reverse()];
            list.Items.Clear();
            list.Items.Add(reversed);
            list.Timestamp = new Timestamp { Seconds = 99 };
        }

        Assert.True(Compare("topn", aggr, want, actual).Equal);

        actual.Lists[0].Items[0].Value = new FieldValue { Int = new Int { Value = 1_000 } };
        ComparisonResult result = Compare("topn", aggr, want, actual);
        Assert.False(result.Equal);
        Assert.StartsWith("lists[0].items[", result.Differences[0].Path, StringComparison.Ordinal);
    }

    [Fact]
    public void TopN_order_ranks_values_then_entity_tags_by_type()
    {
        static MeasureV1.TopNList.Types.Item Item(long value, params TagValue[] entity)
        {
            MeasureV1.TopNList.Types.Item item = new() { Value = new FieldValue { Int = new Int { Value = value } } };
            item.Entity.Add(entity.Select((v, i) => new Tag { Key = $"t{i}", Value = v }));
            return item;
        }

        TagValue nullTag = new() { Null = NullValue.NullValue };
        TagValue a = new() { Str = new Str { Value = "a" } }, b = new() { Str = new Str { Value = "b" } };
        TagValue one = new() { Int = new Int { Value = 1 } };

        Assert.True(TopNItemOrder.Instance.Compare(Item(1, b), Item(2, a)) < 0);
        Assert.True(TopNItemOrder.Instance.Compare(Item(5, a), Item(5, b)) < 0);
        Assert.True(TopNItemOrder.Instance.Compare(Item(5, nullTag), Item(5, a)) < 0);
        Assert.True(TopNItemOrder.Instance.Compare(Item(5, a), Item(5, one)) < 0);
        Assert.True(TopNItemOrder.Instance.Compare(Item(5, a), Item(5, a, a)) < 0);
        Assert.Equal(0, TopNItemOrder.Instance.Compare(Item(5, a), Item(5, a)));
    }

    [Fact]
    public void WantEmpty_accepts_only_an_empty_result()
    {
        ResponseComparer stream = new(Suite("stream"));
        Assert.True(stream.CheckEmpty(new StreamV1.QueryResponse()).Equal);
        Difference difference = Assert.Single(stream.CheckEmpty(Want<StreamV1.QueryResponse>("stream", "all elements")).Differences);
        Assert.Equal("elements", difference.Path);

        ResponseComparer measure = new(Suite("measure"));
        Assert.True(measure.CheckEmpty(new MeasureV1.QueryResponse()).Equal);
        Assert.Equal("data_points", Assert.Single(measure.CheckEmpty(Want<MeasureV1.QueryResponse>("measure", "all")).Differences).Path);

        ResponseComparer topN = new(Suite("topn"));
        Assert.Equal("lists", Assert.Single(topN.CheckEmpty(Want<MeasureV1.TopNResponse>("topn", "max top3 order by desc")).Differences).Path);
    }

    [Fact]
    public void Ignored_fields_resolve_to_full_names()
    {
        Assert.Equal(["banyandb.stream.v1.Element.timestamp"], new ResponseComparer(Suite("stream")).IgnoredFields(Case("stream", "all elements")));
        Assert.Equal(
            ["banyandb.stream.v1.Element.timestamp", "banyandb.stream.v1.Element.element_id"],
            new ResponseComparer(Suite("stream")).IgnoredFields(Case("stream", "write mixed")));
        Assert.Equal(
            ["banyandb.measure.v1.DataPoint.timestamp", "banyandb.measure.v1.DataPoint.version", "banyandb.measure.v1.DataPoint.sid"],
            new ResponseComparer(Suite("measure")).IgnoredFields(Case("measure", "all")));
        Assert.Equal(["banyandb.measure.v1.TopNList.timestamp"], new ResponseComparer(Suite("topn")).IgnoredFields(Case("topn", "max top3 order by desc")));
    }

    [Fact]
    public void Floats_compare_with_go_equality()
    {
        MessageDiff diff = new(new HashSet<string>());
        static Float F(double v) => new() { Value = v };

        Assert.Equal(0, diff.CountDifferences(F(0.0), F(-0.0)));
        Assert.Equal(1, diff.CountDifferences(F(double.NaN), F(double.NaN)));
        Assert.Equal(1, diff.CountDifferences(F(100.5), F(100.50000000000001)));
    }
}
