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

        // Bytes, checksums and the value model: no engine concept below them.
        ["Banyan.Storage.Bytes"] = 1,
        ["Banyan.Storage.Checksums"] = 1,
        ["Banyan.Storage.Values"] = 1,

        // Codecs over spans, compression, and the durability kit.
        ["Banyan.Storage.Compression"] = 2,
        ["Banyan.Storage.Durability"] = 2,
        ["Banyan.Storage.Encodings"] = 2,

        // A column of values and its codec.
        ["Banyan.Storage.Columns"] = 3,

        // Write batches of rows.
        ["Banyan.Storage.Rows"] = 4,

        // The inverted index, then the criteria planned over it.
        ["Banyan.Storage.Index"] = 5,
        ["Banyan.Storage.Query"] = 6,

        // On-disk parts, the WAL, series identity.
        ["Banyan.Storage.Parts"] = 7,
        ["Banyan.Storage.Wal"] = 7,
        ["Banyan.Storage.Series"] = 7,

        // Time segments of a group; snapshot files of a shard.
        ["Banyan.Storage.Segments"] = 8,
        ["Banyan.Storage.Snapshots"] = 8,

        // The shard's indexes, then the shard.
        ["Banyan.Storage.Shards.Indexing"] = 9,
        ["Banyan.Storage.Shards"] = 10,
    };
}
