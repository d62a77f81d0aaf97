using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Shards;

// The subjects of the shard: their index configuration, added or changed while the shard is open.
public sealed partial class Shard
{
    /// <summary>The configured subjects (every measure or stream of the group indexed here), in the order they were first configured.</summary>
    public IReadOnlyList<ShardIndexConfig> Subjects => _indexer?.Subjects ?? [];

    /// <summary>
    /// Configures <paramref name="config"/>'s subject (kind, entity tags, index rules), adding it or
    /// changing its rules while the shard is open. The configuration is kept in the shard
    /// (<c>idx/subjects.bin</c>) before it takes effect; writes prepared from then on are validated and
    /// indexed with it (rows indexed before keep their fields: a rule added later indexes new writes,
    /// and conditions on it are decided on older rows). Idempotent. Once a shard has a subject, every
    /// write must name a configured one. Does file I/O: a grain calls <see cref="ConfigureSubjectAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is of the other kind, or changes the subject's entity.</exception>
    public void ConfigureSubject(ShardIndexConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ThrowIfClosed();
        if (config.Kind != _options.Kind)
        {
            throw new ArgumentException($"subject '{config.Subject}' is configured as a {config.Kind}, shard {FolderPath} stores {_options.Kind} rows", nameof(config));
        }

        if (_indexer is { } indexer)
        {
            indexer.Configure(config);
            return;
        }

        lock (_configureGate)
        {
            if (_indexer is { } created)
            {
                created.Configure(config);
                return;
            }

            _indexer = ShardIndexer.Open(FolderPath, _options.Kind, [config], _options.Index?.Subject);
        }
    }

    /// <summary><see cref="ConfigureSubject"/> with its file I/O on the thread pool.</summary>
    public Task ConfigureSubjectAsync(ShardIndexConfig config) => Task.Run(() => ConfigureSubject(config));
}
