using Banyan.Storage.Index.Analysis;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// One tag an index rule (through its binding) indexes in a shard, as BanyanDB declares it: the
/// tag (optionally pinned to a tag family), the analyzer for MATCH, and whether the tag is
/// <c>indexed_only</c> (searchable but never returned from the index).
/// </summary>
/// <param name="Tag">The tag name; index documents and criteria name tags without their family, as in BanyanDB.</param>
/// <param name="Family">The tag family holding the tag in write batches, or null to take the tag from whichever family has it.</param>
/// <param name="Analyzer">The analyzer MATCH uses; <see cref="AnalyzerKind.None"/> indexes whole values only.</param>
/// <param name="IndexedOnly">BanyanDB's <c>indexed_only</c>: the index does not keep the value, only its terms.</param>
public sealed record ShardIndexRule(string Tag, string? Family = null, AnalyzerKind Analyzer = AnalyzerKind.None, bool IndexedOnly = false);
