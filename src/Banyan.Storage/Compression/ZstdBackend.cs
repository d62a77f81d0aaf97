namespace Banyan.Storage.Compression;

/// <summary>The two zstd implementations (same format: each reads what the other writes).</summary>
internal enum ZstdBackend
{
    /// <summary>The system's libzstd.so.1 through P/Invoke.</summary>
    Native,

    /// <summary>ZstdSharp.Port, a managed port of zstd.</summary>
    Managed,
}
