using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Series;

public sealed class SeriesIndexTests : IDisposable
{
    private static readonly string[] s_names = ["service_id", "entity_id"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "banyan-sidx-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static (string, IReadOnlyList<string>, IReadOnlyList<TagValue>) Series(string service, string entity, string subject = "service_instance_cpm_minute") =>
        (subject, s_names, [TagValue.FromString(service), TagValue.FromString(entity)]);

    [Fact]
    public void ResolvesPrefixesConditionsAndReturnsEntityValues()
    {
        SeriesIndex index = SeriesIndex.Open(_dir, s_names);
        Assert.Equal(3, index.Register(1, [Series("svc_1", "entity_1"), Series("svc_1", "entity_3"), Series("svc_2", "entity_1"), Series("svc_1", "entity_3")]));
        index.Store.Flush();
        Assert.Equal(2, index.Register(2, [Series("svc_1", "entity_3"), Series("svc|1", "e\\x"), Series("svc_1", "entity_1", subject: "other")]));

        // (a) a fully given entity resolves to the BanyanDB series id.
        Assert.Equal(7941974329620232473UL, index.Resolve("service_instance_cpm_minute", [TagValue.FromString("svc_1"), TagValue.FromString("entity_3")]));
        Assert.Null(index.Resolve("service_instance_cpm_minute", [TagValue.FromString("svc_9"), TagValue.FromString("entity_3")]));

        // (b) prefix: "svc_1" must not match "svc|1" or other subjects.
        IReadOnlyList<SeriesMatch> prefix = index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]);
        Assert.Equal(["entity_1", "entity_3"], prefix.Select(m => m.EntityValues[1].Text).Order(StringComparer.Ordinal));
        IReadOnlyList<SeriesMatch> all = index.FindByPrefix("service_instance_cpm_minute", []);
        Assert.Equal(4, all.Count);

        // Ascending by series id, not by key, across the index's segments (the first registration is flushed, the second
        // is not): queries take the answer as their sorted series list.
        Assert.Equal(all.Select(m => m.SeriesId).Order(), all.Select(m => m.SeriesId));

        // The answer carries the ids in the same order, and its span the same matches, for the statistics grouping.
        SeriesMatchesById byId = Assert.IsType<SeriesMatchesById>(all);
        Assert.Equal(all.Select(m => m.SeriesId), byId.Ids.ToArray());
        Assert.Equal(all, byId.AsSpan().ToArray());
        Assert.Same(byId, SeriesMatchesById.Of(all));

        // Any other list is copied into id order, the ids beside it (a filtered selection, or several prefixes' answers).
        SeriesMatch[] reversed = [.. all.Reverse()];
        SeriesMatchesById sorted = SeriesMatchesById.Of(reversed);
        Assert.Equal(all, sorted);
        Assert.Equal(all.Select(m => m.SeriesId), sorted.Ids.ToArray());
        Assert.Equal(all[^1], reversed[0]); // the caller's list is left as it was

        // (b) any condition, indexed or residual, and (c) entity values come back.
        IReadOnlyList<SeriesMatch> found = index.Find("service_instance_cpm_minute", s_names, new LogicalExpression(
            LogicalOp.And,
            new Condition("entity_id", ConditionOp.Ge, TagValue.FromString("entity_2")),
            new Condition("service_id", ConditionOp.Ne, TagValue.FromString("svc_2"))));
        SeriesMatch only = Assert.Single(found);
        Assert.Equal(7941974329620232473UL, only.SeriesId);
        Assert.Equal([TagValue.FromString("svc_1"), TagValue.FromString("entity_3")], only.EntityValues);

        // Survives a restart (flushed part) and knows its series again.
        Assert.Equal(5, index.Count);
        index.Store.Flush();
        SeriesIndex reopened = SeriesIndex.Open(_dir, s_names);
        Assert.Equal(5, reopened.Count);
        Assert.Equal(0, reopened.Register(3, [Series("svc_2", "entity_1")]));
        Assert.Equal(3, reopened.Find("service_instance_cpm_minute", s_names, new Condition("entity_id", ConditionOp.In, TagValue.FromStringArray(["entity_1", "e\\x"]))).Count);
    }

    [Fact]
    public void APrefixAnswerIsKeptUntilTheIndexChanges()
    {
        SeriesIndex index = SeriesIndex.Open(_dir, s_names);
        index.Register(1, [Series("svc_1", "entity_1"), Series("svc_2", "entity_1")]);
        IReadOnlyList<SeriesMatch> first = index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]);
        Assert.Same(first, index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]));
        Assert.NotSame(first, index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_2")]));

        // A series registered after the first lookup is in the next answer (a new view), flushed or not.
        index.Register(2, [Series("svc_1", "entity_2")]);
        IReadOnlyList<SeriesMatch> second = index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]);
        Assert.Equal(["entity_1", "entity_2"], second.Select(m => m.EntityValues[1].Text).Order(StringComparer.Ordinal));
        index.Store.Flush();
        Assert.Equal(2, index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]).Count);

        // Many distinct prefixes: the answers stay right when the per-view bound starts the cache over.
        for (int i = 0; i < PrefixLookupCache.MaxEntries + 10; i++)
        {
            Assert.Empty(index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("none_" + i)]));
        }

        Assert.Equal(2, index.FindByPrefix("service_instance_cpm_minute", [TagValue.FromString("svc_1")]).Count);
    }

    [Fact]
    public void ConditionsOnEntityTagsTheIndexLacksRunOnDecodedKeys()
    {
        // Only service_id is indexed; entity_id conditions must still work, on values decoded from the key.
        SeriesIndex index = SeriesIndex.Open(_dir, ["service_id"]);
        index.Register(1, [Series("svc_1", "entity_1"), Series("svc_1", "entity_3"), Series("svc_2", "entity_3")]);
        Criteria criteria = new LogicalExpression(
            LogicalOp.Or,
            new Condition("entity_id", ConditionOp.Eq, TagValue.FromString("entity_3")),
            new Condition("service_id", ConditionOp.Eq, TagValue.FromString("svc_9")));
        Assert.False(FilterPlanner.Plan(criteria, index.Store.View(), index.Store.Schema)[0].Plan.IsExact);
        IReadOnlyList<SeriesMatch> found = index.Find("service_instance_cpm_minute", s_names, criteria);
        Assert.Equal(["svc_1", "svc_2"], found.Select(m => m.EntityValues[0].Text).Order(StringComparer.Ordinal));
        Assert.All(found, m => Assert.Equal("entity_3", m.EntityValues[1].Text));
    }
}
