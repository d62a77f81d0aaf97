using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>A row as the model keeps it: keys plus every tag value by name (entity tags included).</summary>
internal sealed class ModelRow(ulong seriesId, long timestamp, long elementIdOrVersion, Dictionary<string, TagValue> tags) : ITagRow
{
    public ulong SeriesId { get; } = seriesId;

    public long Timestamp { get; } = timestamp;

    public long ElementIdOrVersion { get; } = elementIdOrVersion;

    public Dictionary<string, TagValue> Tags { get; } = tags;

    public TagValue? GetTag(string name) => Tags.GetValueOrDefault(name);
}

/// <summary>Random write batches for one subject, with the model rows they hold.</summary>
internal sealed class IndexModel(Random random, DataKind kind)
{
    public const string Subject = "service_traffic";
    public static readonly string[] EntityTags = ["service", "instance"];

    // Column type per tag; the entity tags first. "plain" and "num2" are not indexed.
    private static readonly (string Name, ColumnValueType Type)[] s_columns =
    [
        ("service", ColumnValueType.String), ("instance", ColumnValueType.Int64),
        ("s", ColumnValueType.String), ("n", ColumnValueType.Int64), ("arr", ColumnValueType.StringArray),
        ("text", ColumnValueType.String), ("url", ColumnValueType.String), ("kw", ColumnValueType.String),
        ("simple", ColumnValueType.String), ("prose", ColumnValueType.String), ("plain", ColumnValueType.String),
        ("num2", ColumnValueType.Int64),
    ];

    private static readonly string[] s_words = ["alpha", "beta", "Gamma", "delta", "x", "", "zeta", "é", "日本", "GET", "/api/v1"];
    private static readonly string[] s_texts = ["http://example.com/path?query=123", "The quick brown fox", "GET /api/v1/users", "hello_world 3.14 don't", "Error: timeout at db.example.com", "the and of", ""];
    private long _nextElementId = 1;

    public static ShardIndexConfig Config(DataKind kind) => new(kind, Subject, EntityTags,
    [
        new ShardIndexRule("s", "default"),
        new ShardIndexRule("n", IndexedOnly: true),
        new ShardIndexRule("arr"),
        new ShardIndexRule("text", Analyzer: AnalyzerKind.Standard),
        new ShardIndexRule("url", Analyzer: AnalyzerKind.Url, IndexedOnly: true),
        new ShardIndexRule("kw", Analyzer: AnalyzerKind.Keyword),
        new ShardIndexRule("simple", Analyzer: AnalyzerKind.Simple),
        new ShardIndexRule("prose", "searchable", AnalyzerKind.Standard, IndexedOnly: true),
    ]);

    public static IReadOnlyList<TagValue> Entity(int service, int instance) => [TagValue.FromString("svc-" + service), TagValue.FromInt64(instance)];

    public (WriteBatch Batch, List<ModelRow> Rows) NextBatch(int maxRows)
    {
        var batch = new WriteBatch(kind);
        foreach ((string name, ColumnValueType type) in s_columns)
        {
            batch.AddColumn(name is "prose" ? "searchable" : "default", name, type);
        }

        var rows = new List<ModelRow>();
        int count = random.Next(1, maxRows + 1);
        var values = new ColumnValue[s_columns.Length];
        for (int r = 0; r < count; r++)
        {
            int service = random.Next(4);
            int instance = random.Next(3);
            IReadOnlyList<TagValue> entity = Entity(service, instance);
            ulong sid = SeriesKey.ComputeSeriesId(Subject, entity);
            var tags = new Dictionary<string, TagValue>(StringComparer.Ordinal) { ["service"] = entity[0], ["instance"] = entity[1] };
            values[0] = ColumnValue.FromString(entity[0].Text);
            values[1] = ColumnValue.FromInt64(entity[1].Number);
            for (int c = 2; c < s_columns.Length; c++)
            {
                (string name, ColumnValueType type) = s_columns[c];
                if (random.Next(8) == 0)
                {
                    values[c] = ColumnValue.Null;
                    continue;
                }

                switch (type)
                {
                    case ColumnValueType.Int64:
                        long v = random.Next(-5, 6);
                        values[c] = ColumnValue.FromInt64(v);
                        tags[name] = TagValue.FromInt64(v);
                        break;
                    case ColumnValueType.StringArray:
                        string[] a = Enumerable.Range(0, random.Next(0, 4)).Select(_ => s_words[random.Next(s_words.Length)]).ToArray();
                        values[c] = ColumnValue.FromStringArray(a);
                        tags[name] = TagValue.FromStringArray(a);
                        break;
                    default:
                        string s = name is "text" or "url" or "simple" or "prose" ? s_texts[random.Next(s_texts.Length)] : s_words[random.Next(s_words.Length)];
                        values[c] = ColumnValue.FromString(s);
                        tags[name] = TagValue.FromString(s);
                        break;
                }
            }

            long ts = random.Next(0, 100);
            long third = _nextElementId++; // element ids (streams), versions (measures): unique, increasing
            batch.AddRow(sid, ts, third, values);
            rows.Add(new ModelRow(sid, ts, third, tags));
        }

        return (batch, rows);
    }

    /// <summary>Distinct (series, indexed values) combinations of a measure batch: the documents the indexer must add.</summary>
    public static int MeasureDocuments(List<ModelRow> rows, ShardIndexConfig config)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelRow row in rows)
        {
            var key = new System.Text.StringBuilder(row.SeriesId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (ShardIndexRule rule in config.Rules)
            {
                key.Append('|').Append(row.GetTag(rule.Tag)?.ToString() ?? "<null>");
            }

            seen.Add(key.ToString());
        }

        return seen.Count;
    }
}
