namespace Banyan.Storage.Tests.Architecture;

/// <summary>
/// The floors of the engine (docs/design/storage.md draws them): every namespace of Banyan.Storage
/// (one per folder) stands on a floor, and code may use only namespaces on lower floors (and its own).
/// Two namespaces on one floor do not know each other. A new folder must be given its floor here.
/// </summary>
internal static class EngineFloors
{
    public static IReadOnlyDictionary<string, int> Map { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // The errors every floor raises.
        ["Banyan.Storage"] = 0,

        // 1. Bytes, checksums and the value model: no engine concept below them.
        ["Banyan.Storage.Bytes"] = 1,
        ["Banyan.Storage.Checksums"] = 1,
        ["Banyan.Storage.Values"] = 1,

        // The engine's instruments (System.Diagnostics.Metrics): used by the WAL and the shard, using nothing.
        ["Banyan.Storage.Telemetry"] = 1,

        // Vector kernels over spans of numbers (each beside its scalar loop), using nothing.
        ["Banyan.Storage.Vectorized"] = 1,

        // 2. Codecs over spans, compression, the durability kit, text analysis, posting lists.
        ["Banyan.Storage.Compression"] = 2,
        ["Banyan.Storage.Durability"] = 2,
        ["Banyan.Storage.Encodings"] = 2,
        ["Banyan.Storage.Index.Analysis"] = 2,
        ["Banyan.Storage.Index.Postings"] = 2,

        // 3. A column and its codec; what a query asks (criteria, series/time filter, projection);
        //    term dictionaries; the WAL; the shard's snapshot files.
        ["Banyan.Storage.Columns"] = 3,
        ["Banyan.Storage.Query"] = 3,
        ["Banyan.Storage.Index.Terms"] = 3,
        ["Banyan.Storage.Wal"] = 3,
        ["Banyan.Storage.Snapshots"] = 3,

        // 4. Write batches of rows; index segments (documents, schema, segment files).
        ["Banyan.Storage.Rows"] = 4,
        ["Banyan.Storage.Index.Segments"] = 4,

        // 5. Parts; the index store (manifest, flush, merge, views); a group's time segments.
        ["Banyan.Storage.Parts"] = 5,
        ["Banyan.Storage.Index.Store"] = 5,
        ["Banyan.Storage.TimeSegments"] = 5,

        // 6. Criteria planned over index segments.
        ["Banyan.Storage.Query.Planning"] = 6,

        // 7. Series identity and the series index.
        ["Banyan.Storage.Series"] = 7,

        // 8. The shard's indexes, then 9. the shard.
        ["Banyan.Storage.Shards.Indexing"] = 8,
        ["Banyan.Storage.Shards"] = 9,
    };
}
