using Banyan.Storage.Index.Postings;

namespace Banyan.Storage.Query.Planning;

/// <summary>
/// The result of planning criteria against one index segment: the documents that may match
/// (<see cref="Candidates"/>) and, unless the index decided everything, a <see cref="Residual"/> to
/// run on each candidate's decoded row. A document matches iff it is a candidate and passes the residual.
/// </summary>
public sealed class FilterPlan
{
    internal FilterPlan(PostingList candidates, ResidualFilter? residual, int universe)
    {
        Candidates = candidates;
        Residual = residual;
        Universe = universe;
    }

    /// <summary>Documents that may match; every matching document is among them.</summary>
    public PostingList Candidates { get; }

    /// <summary>The filter left for decoded rows; null when <see cref="Candidates"/> is exact.</summary>
    public ResidualFilter? Residual { get; }

    /// <summary>Number of documents of the segment the plan was made for.</summary>
    public int Universe { get; }

    /// <summary>True when the index answered the criteria without a residual.</summary>
    public bool IsExact => Residual is null;
}
