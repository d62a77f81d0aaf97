using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks.Index;

/// <summary>
/// Query latency on one merged segment of <see cref="IndexBenchmarkData.DocumentCount"/> elements:
/// plan the criteria and materialise the matching posting list.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class IndexQueryBenchmarks
{
    private IndexSegment _segment = null!;
    private Criteria _eqC10 = null!;
    private Criteria _eqC1k = null!;
    private Criteria _eqC100k = null!;
    private Criteria _eqUid = null!;
    private Criteria _and = null!;
    private Criteria _range = null!;
    private Criteria _match = null!;

    [GlobalSetup]
    public void Setup()
    {
        _segment = IndexBenchmarkData.Index(IndexBenchmarkData.Generate(IndexBenchmarkData.DocumentCount));
        _eqC10 = new Condition("c10", ConditionOp.Eq, TagValue.FromString("service-3"));
        _eqC1k = new Condition("c1k", ConditionOp.Eq, TagValue.FromInt64(417));
        _eqC100k = new Condition("c100k", ConditionOp.Eq, TagValue.FromString("v4242"));
        _eqUid = new Condition("uid", ConditionOp.Eq, TagValue.FromString("id-" + (IndexBenchmarkData.DocumentCount / 2)));
        _and = new LogicalExpression(LogicalOp.And, _eqC10, new Condition("c1k", ConditionOp.Lt, TagValue.FromInt64(100)));
        _range = new LogicalExpression(LogicalOp.And, new Condition("c1k", ConditionOp.Ge, TagValue.FromInt64(100)), new Condition("c1k", ConditionOp.Lt, TagValue.FromInt64(200)));
        _match = new Condition("text", ConditionOp.Match, TagValue.FromString("w1a w2b"), new MatchOptions(Operator: MatchOperator.And));
    }

    private long Run(Criteria criteria)
    {
        FilterPlan plan = FilterPlanner.Plan(criteria, _segment, IndexBenchmarkData.Schema);
        return plan.IsExact ? plan.Candidates.Count : throw new InvalidOperationException("expected an exact plan");
    }

    [Benchmark]
    public long EqCardinality10() => Run(_eqC10);

    [Benchmark]
    public long EqCardinality1k() => Run(_eqC1k);

    [Benchmark]
    public long EqCardinality100k() => Run(_eqC100k);

    [Benchmark]
    public long EqUnique() => Run(_eqUid);

    [Benchmark]
    public long AndOfTwo() => Run(_and);

    [Benchmark]
    public long RangeOnInt() => Run(_range);

    [Benchmark]
    public long MatchTwoWords() => Run(_match);
}
