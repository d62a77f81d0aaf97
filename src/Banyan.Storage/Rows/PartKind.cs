namespace Banyan.Storage.Rows;

/// <summary>What a part stores: measure rows (versioned, with fields) or stream rows (element ids, tags only).</summary>
public enum PartKind : byte
{
    /// <summary>Metrics: rows carry a version; equal (series, timestamp) keep only the highest version.</summary>
    Measure = 1,

    /// <summary>Logs and events: rows carry an element id; every row is kept.</summary>
    Stream = 2,
}
