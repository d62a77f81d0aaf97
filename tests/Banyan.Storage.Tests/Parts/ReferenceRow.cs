using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>A row of the simple reference model: keys plus one value per column (by family and name).</summary>
public sealed record ReferenceRow(ulong SeriesId, long Timestamp, long Version, ColumnValue[] Values);

/// <summary>Column identity in the reference model.</summary>
public sealed record ReferenceColumn(string? Family, string Name, ColumnValueType Type);
