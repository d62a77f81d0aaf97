namespace Banyan.Conformance.Comparison;

/// <summary>The outcome of comparing a response with its want: the first differences and how many there were.</summary>
public sealed class ComparisonResult
{
    private readonly List<Difference> _differences = [];
    private readonly int _limit;

    /// <summary>A result keeping at most <paramref name="limit"/> differences (all are counted).</summary>
    public ComparisonResult(int limit) => _limit = limit;

    /// <summary>True when no difference was found.</summary>
    public bool Equal => Count == 0;

    /// <summary>The number of differences found.</summary>
    public int Count { get; private set; }

    /// <summary>The first differences, in the order found (at most the limit given).</summary>
    public IReadOnlyList<Difference> Differences => _differences;

    /// <summary>Records a difference.</summary>
    public void Add(Difference difference)
    {
        Count++;
        if (_differences.Count < _limit)
        {
            _differences.Add(difference);
        }
    }

    /// <summary>Records a difference at <paramref name="path"/>.</summary>
    public void Add(string path, string expected, string actual) => Add(new Difference(path, expected, actual));

    /// <summary>A one-line summary: the first difference and how many there are.</summary>
    public string Summary() => Count switch
    {
        0 => "equal",
        1 => _differences[0].ToString(),
        _ when _differences.Count > 0 => $"{_differences[0]} (and {Count - 1} more differences)",
        _ => $"{Count} differences",
    };
}
