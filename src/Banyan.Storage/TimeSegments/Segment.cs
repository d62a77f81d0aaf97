using System.Globalization;

namespace Banyan.Storage.TimeSegments;

/// <summary>
/// One time range <c>[Start, End)</c> of a group: the folder <c>&lt;group&gt;/seg-&lt;yyyyMMddHH&gt;/</c>
/// with one <c>shard-&lt;n&gt;/</c> sub-folder per shard, opened on first use. Reference counted like
/// parts: the controller holds one reference and each scan holds one, so a segment removed by
/// retention is closed and deleted only after the last scan over it ends.
/// </summary>
/// <typeparam name="TShard">The shard type the segment hosts.</typeparam>
public sealed class Segment<TShard> : IDisposable
    where TShard : class, IDisposable
{
    /// <summary>The folder name prefix of shards.</summary>
    public const string ShardFolderPrefix = "shard-";

    private readonly Func<string, int, TShard> _openShard;
    private readonly TShard?[] _shards;
    private readonly object _gate = new();
    private int _references = 1;
    private volatile bool _deleteWhenReleased;

    internal Segment(string path, DateTimeOffset start, DateTimeOffset end, int shardNum, Func<string, int, TShard> openShard)
    {
        FolderPath = path;
        Start = start;
        End = end;
        _openShard = openShard;
        _shards = new TShard?[shardNum];
    }

    /// <summary>Inclusive start (UTC).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Exclusive end (UTC).</summary>
    public DateTimeOffset End { get; }

    /// <summary>The segment folder.</summary>
    public string FolderPath { get; }

    /// <summary>The number of shards.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>The folder of shard <paramref name="shard"/>.</summary>
    public string ShardPath(int shard) => Path.Combine(FolderPath, ShardFolderPrefix + shard.ToString(CultureInfo.InvariantCulture));

    /// <summary>Shard <paramref name="shard"/>, opened (and its folder created) on first use.</summary>
    public TShard Shard(int shard)
    {
        if ((uint)shard >= (uint)_shards.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"shard must be in 0..{_shards.Length - 1}");
        }

        TShard? existing = Volatile.Read(ref _shards[shard]);
        if (existing is not null)
        {
            return existing;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _references) <= 0, this);
            existing = _shards[shard];
            if (existing is null)
            {
                existing = _openShard(ShardPath(shard), shard);
                Volatile.Write(ref _shards[shard], existing);
            }

            return existing;
        }
    }

    /// <summary>Shard <paramref name="shard"/> if it was opened, else null (a scan need not open empty shards).</summary>
    public TShard? OpenedShard(int shard) => Volatile.Read(ref _shards[shard]);

    /// <summary>Takes a reference; false when the segment is already closed.</summary>
    public bool TryAcquire()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Drops a reference; the last one closes the shards (and deletes the folder after retention).</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        lock (_gate)
        {
            for (int i = 0; i < _shards.Length; i++)
            {
                _shards[i]?.Dispose();
                _shards[i] = null;
            }
        }

        if (_deleteWhenReleased)
        {
            try
            {
                Durability.FileSystem.At(FolderPath).DeleteDirectory(FolderPath);
            }
            catch (IOException)
            {
                // Expired anyway: the next retention run deletes what is left.
            }
        }
    }

    /// <summary>The controller's reference goes: closes the segment once no scan holds it.</summary>
    public void Dispose() => Release();

    internal void MarkForDeletion() => _deleteWhenReleased = true;
}
