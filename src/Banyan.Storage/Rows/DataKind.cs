namespace Banyan.Storage.Rows;

/// <summary>The kind of data a batch, a part or a shard holds: measure rows (versioned, with fields) or stream rows (element ids, tags only).</summary>
public enum DataKind : byte
{
    /// <summary>Metrics: rows carry a version; equal (series, timestamp) keep only the highest version.</summary>
    Measure = 1,

    /// <summary>Logs and events: rows carry an element id; every row is kept.</summary>
    Stream = 2,
}
