using Google.Protobuf.WellKnownTypes;

namespace Banyan.Conformance.Cases;

/// <summary>
/// One row of an upstream case table (<c>cases.json</c>; upstream <c>helpers.Args</c> in
/// <c>pkg/test/helpers/constant.go</c>, rows in <c>test/cases/&lt;suite&gt;/&lt;suite&gt;.go</c>).
/// </summary>
public sealed record ConformanceCase
{
    /// <summary>The suite the case belongs to: <c>stream</c>, <c>measure</c> or <c>topn</c>.</summary>
    public required string Suite { get; init; }

    /// <summary>The upstream table entry's description, unique within its suite.</summary>
    public required string Name { get; init; }

    /// <summary>The input file name without extension, under the suite's <c>inputDir</c>.</summary>
    public required string Input { get; init; }

    /// <summary>The want file name without extension (defaults to <see cref="Input"/> upstream).</summary>
    public required string Want { get; init; }

    /// <summary>Start of the query window relative to the base time B, in ms (used when no explicit begin/end).</summary>
    public long OffsetMs { get; init; }

    /// <summary>Length of the query window in ms; the window is <c>[B + offset, B + offset + duration]</c>.</summary>
    public long DurationMs { get; init; }

    /// <summary>Explicit window start (upstream <c>Args.Begin</c>); used with <see cref="End"/> instead of the offset.</summary>
    public Timestamp? Begin { get; init; }

    /// <summary>Explicit window end (upstream <c>Args.End</c>).</summary>
    public Timestamp? End { get; init; }

    /// <summary>Query stages (upstream <c>Args.Stages</c>); replaces the input's stages.</summary>
    public IReadOnlyList<string> Stages { get; init; } = [];

    /// <summary>The RPC must fail.</summary>
    public bool WantErr { get; init; }

    /// <summary>The result must be empty (no elements, data points or lists).</summary>
    public bool WantEmpty { get; init; }

    /// <summary>Compare without regard to order (see <see cref="Comparison.ResponseComparer"/> for the per-suite rule).</summary>
    public bool DisOrder { get; init; }

    /// <summary>Stream only: ignore <c>Element.element_id</c>.</summary>
    public bool IgnoreElementId { get; init; }

    /// <summary>A note from the case table, if any.</summary>
    public string? Note { get; init; }

    /// <summary>The case's identity in reports and test names: <c>suite/name</c>.</summary>
    public string Key => $"{Suite}/{Name}";

    /// <inheritdoc/>
    public override string ToString() => Key;
}
