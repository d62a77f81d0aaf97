using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks.Index;

/// <summary>
/// Deterministic stream elements with five indexed tags: <c>c10</c> (string, 10 values), <c>c1k</c>
/// (int, 1,000 values), <c>c100k</c> (string, 100,000 values), <c>uid</c> (string, unique) and
/// <c>text</c> (6 words from a 2,000-word vocabulary, standard analyzer, indexed_only).
/// </summary>
public static class IndexBenchmarkData
{
    /// <summary>Element count: 1,000,000 unless <c>BANYAN_INDEX_BENCH_DOCS</c> says otherwise.</summary>
    public static int DocumentCount { get; } = int.TryParse(Environment.GetEnvironmentVariable("BANYAN_INDEX_BENCH_DOCS"), out int n) ? n : 1_000_000;

    /// <summary>Documents per write batch (one in-memory segment each).</summary>
    public const int BatchSize = 10_000;

    public static IndexSchema Schema { get; } = new(
    [
        new IndexedTag("c10", Stored: false),
        new IndexedTag("c1k", Stored: false),
        new IndexedTag("c100k", Stored: false),
        new IndexedTag("uid", Stored: false),
        new IndexedTag("text", AnalyzerKind.Standard, Stored: false, ExactTerms: false),
    ]);

    private static readonly TagValue[] s_c10 = [.. Enumerable.Range(0, 10).Select(i => TagValue.FromString("service-" + i))];
    private static readonly TagValue[] s_c1k = [.. Enumerable.Range(0, 1000).Select(i => TagValue.FromInt64(i))];
    private static readonly string[] s_words = [.. Enumerable.Range(0, 2000).Select(i => "w" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture))];

    public static IndexDocument[] Generate(int count, int seed = 7)
    {
        var random = new Random(seed);
        var docs = new IndexDocument[count];
        for (int i = 0; i < count; i++)
        {
            var text = string.Join(' ', s_words[random.Next(2000)], s_words[random.Next(2000)], s_words[random.Next(2000)], s_words[random.Next(2000)], s_words[random.Next(2000)], s_words[random.Next(2000)]);
            docs[i] = new IndexDocument(
                (ulong)random.Next(0, 5000),
                1_700_000_000_000_000_000L + (i * 1_000_000L),
                new BenchTags(
                    s_c10[random.Next(10)],
                    s_c1k[random.Next(1000)],
                    TagValue.FromString("v" + random.Next(100_000)),
                    TagValue.FromString("id-" + i),
                    TagValue.FromString(text)));
        }

        return docs;
    }

    /// <summary>Builds batch segments and merges them into one, as a flush does.</summary>
    public static IndexSegment Index(IndexDocument[] docs)
    {
        var batches = new List<IndexSegment>();
        for (int start = 0; start < docs.Length; start += BatchSize)
        {
            var builder = new IndexSegmentBuilder(Schema);
            int end = Math.Min(docs.Length, start + BatchSize);
            for (int i = start; i < end; i++)
            {
                builder.Add(docs[i]);
            }

            batches.Add(builder.Build("batch"));
        }

        return IndexSegmentMerger.Merge(batches, Schema, "merged");
    }

    /// <summary>Five tags without a dictionary per element (the benchmark should measure the index, not the input).</summary>
    private sealed class BenchTags(TagValue c10, TagValue c1k, TagValue c100k, TagValue uid, TagValue text) : IReadOnlyDictionary<string, TagValue>
    {
        private static readonly string[] s_keys = ["c10", "c1k", "c100k", "uid", "text"];

        public TagValue this[string key] => TryGetValue(key, out TagValue? v) ? v : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => s_keys;

        public IEnumerable<TagValue> Values => [c10, c1k, c100k, uid, text];

        public int Count => 5;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out TagValue value)
        {
            value = key switch
            {
                "c10" => c10,
                "c1k" => c1k,
                "c100k" => c100k,
                "uid" => uid,
                "text" => text,
                _ => null,
            };
            return value is not null;
        }

        public IEnumerator<KeyValuePair<string, TagValue>> GetEnumerator()
        {
            foreach (string k in s_keys)
            {
                yield return new KeyValuePair<string, TagValue>(k, this[k]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
