using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Query;

/// <summary>Random documents and criteria for model-based tests of the index and the planner.</summary>
internal sealed class RandomCriteria(Random random)
{
    // Small vocabularies so that conditions hit often; strings include non-ASCII and a surrogate pair
    // to exercise UTF-8 byte order.
    private static readonly string[] s_words = ["alpha", "beta", "Gamma", "delta", "x", "", "zeta", "é", "日本", "a\U0001F600b", "\uE000", "GET", "/api/v1"];
    private static readonly string[] s_texts =
    [
        "http://example.com/path?query=123", "The quick brown fox", "GET /api/v1/users", "hello_world 3.14 don't",
        "Error: timeout at db.example.com", "the and of", "FOO bar BAZ", "",
    ];

    public static IndexSchema Schema { get; } = new(
    [
        new IndexedTag("s"),                                   // string, indexed, stored
        new IndexedTag("n", Stored: false),                    // int, indexed_only
        new IndexedTag("arr"),                                 // string array
        new IndexedTag("text", AnalyzerKind.Standard),         // analysed
        new IndexedTag("url", AnalyzerKind.Url, Stored: false),
        new IndexedTag("kw", AnalyzerKind.Keyword),
        new IndexedTag("simple", AnalyzerKind.Simple),
        new IndexedTag("prose", AnalyzerKind.Standard, Stored: false, ExactTerms: false), // tokens only; other ops run on rows
    ]);

    /// <summary>Tags used in documents: the indexed ones plus two that no rule indexes.</summary>
    public static string[] TagNames { get; } = ["s", "n", "arr", "text", "url", "kw", "simple", "prose", "plain", "num2"];

    public TagValue? RandomValueFor(string tag)
    {
        if (random.Next(8) == 0)
        {
            return null; // absent
        }

        if (random.Next(20) == 0)
        {
            return TagValue.Null;
        }

        return tag switch
        {
            "n" or "num2" => random.Next(6) == 0 ? TagValue.FromString(Word()) : TagValue.FromInt64(random.Next(-5, 6) * (random.Next(3) == 0 ? long.MaxValue / 7 : 1)),
            "arr" => random.Next(5) == 0 ? TagValue.FromInt64Array([random.Next(0, 4), random.Next(0, 4)]) : TagValue.FromStringArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Word()).ToArray()),
            "text" or "url" or "simple" or "prose" => TagValue.FromString(s_texts[random.Next(s_texts.Length)]),
            "kw" => random.Next(2) == 0 ? TagValue.FromString(s_texts[random.Next(s_texts.Length)]) : TagValue.FromBinary([(byte)random.Next(3), 0xFF]),
            _ => random.Next(10) == 0 ? TagValue.FromTimestampNanos(random.Next(0, 5)) : TagValue.FromString(Word()),
        };
    }

    public Dictionary<string, TagValue> RandomTags()
    {
        var tags = new Dictionary<string, TagValue>(StringComparer.Ordinal);
        foreach (string name in TagNames)
        {
            TagValue? v = RandomValueFor(name);
            if (v is not null)
            {
                tags[name] = v;
            }
        }

        return tags;
    }

    private string Word() => s_words[random.Next(s_words.Length)];

    private TagValue RandomScalar(string tag)
    {
        TagValue? v;
        do
        {
            v = RandomValueFor(tag);
        }
        while (v is null || v.Kind == TagValueKind.Null);

        if (v.IsArray)
        {
            return v.AtomCount > 0 ? v.AtomAt(0) : TagValue.FromString(Word());
        }

        return v;
    }

    public Criteria RandomTree(int depth)
    {
        if (depth == 0 || random.Next(3) == 0)
        {
            return random.Next(5) == 0 ? RangesOnOneTag() : RandomCondition();
        }

        int n = random.Next(1, 4);
        var children = new Criteria[n];
        for (int i = 0; i < n; i++)
        {
            children[i] = RandomTree(depth - 1);
        }

        return new LogicalExpression(random.Next(2) == 0 ? LogicalOp.And : LogicalOp.Or, children);
    }

    /// <summary>An AND of two or three range conditions on one tag (the planner merges these into one range).</summary>
    public Criteria RangesOnOneTag()
    {
        string tag = random.Next(3) switch { 0 => "n", 1 => "s", _ => "arr" };
        var ops = new[] { ConditionOp.Lt, ConditionOp.Le, ConditionOp.Gt, ConditionOp.Ge };
        int n = random.Next(2, 4);
        var children = new Criteria[n];
        for (int i = 0; i < n; i++)
        {
            children[i] = new Condition(tag, ops[random.Next(4)], RandomScalar(tag));
        }

        return new LogicalExpression(LogicalOp.And, children);
    }

    public Condition RandomCondition()
    {
        string tag = TagNames[random.Next(TagNames.Length)];
        var op = (ConditionOp)random.Next(0, 11);
        switch (op)
        {
            case ConditionOp.In or ConditionOp.NotIn or ConditionOp.Having or ConditionOp.NotHaving:
                if (random.Next(3) == 0)
                {
                    return new Condition(tag, op, RandomScalar(tag));
                }

                int count = random.Next(0, 3);
                return random.Next(4) == 0
                    ? new Condition(tag, op, TagValue.FromInt64Array(Enumerable.Range(0, count).Select(_ => (long)random.Next(-5, 6)).ToArray()))
                    : new Condition(tag, op, TagValue.FromStringArray(Enumerable.Range(0, count).Select(_ => random.Next(2) == 0 ? Word() : s_texts[random.Next(s_texts.Length)]).ToArray()));
            case ConditionOp.Match:
                string query = random.Next(2) == 0 ? s_texts[random.Next(s_texts.Length)] : string.Join(' ', Word(), Word());
                var options = new MatchOptions((AnalyzerKind)random.Next(0, 5), random.Next(2) == 0 ? MatchOperator.Or : MatchOperator.And);
                return new Condition(tag, op, TagValue.FromString(query), options);
            default:
                return new Condition(tag, op, RandomScalar(tag));
        }
    }
}
