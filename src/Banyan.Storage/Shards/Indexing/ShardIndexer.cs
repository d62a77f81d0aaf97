using Banyan.Storage.Columns;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The indexes of one shard, fed by the shard's write batches: the series index (<c>sidx/</c>,
/// entity → series id) and the inverted index of the subject's index rules (<c>idx/</c>).
/// </summary>
/// <remarks>
/// <para>Lifecycle, like parts: every logged batch becomes an in-memory segment in each index
/// (<see cref="Apply"/>, with the batch's WAL sequence number); <see cref="Flush"/> writes them as
/// immutable files and publishes manifests; <see cref="Merge"/> merges flushed files; readers see
/// immutable snapshots. No hidden thread: the shard calls these one at a time.</para>
/// <para>Recovery: each index's manifest records the last batch sequence its files hold. After a
/// crash the shard replays its WAL from <see cref="DurableSequence"/> + 1 through the same
/// <see cref="Index"/> path; a batch already in an index's files is skipped by that index, so no
/// document is indexed twice. The shard must therefore never truncate its WAL beyond
/// <see cref="DurableSequence"/>.</para>
/// </remarks>
public sealed class ShardIndexer
{
    /// <summary>Folder of the inverted index, under the shard folder.</summary>
    public const string IndexFolder = "idx";

    /// <summary>Folder of the series index, under the shard folder.</summary>
    public const string SeriesIndexFolder = "sidx";

    private readonly ShardIndexConfig _config;
    private readonly IndexStore _index;
    private readonly SeriesIndex _series;
    private readonly string[] _documentTagNames;
    private long _lastIndexed;

    private ShardIndexer(ShardIndexConfig config, IndexStore index, SeriesIndex series)
    {
        _config = config;
        _index = index;
        _series = series;

        // Rule tags in rule order, then (streams) the element id: the layout of RowTags windows.
        var names = new List<string>(config.Rules.Count + 1);
        foreach (ShardIndexRule rule in config.Rules)
        {
            names.Add(rule.Tag);
        }

        if (config.Kind == DataKind.Stream)
        {
            names.Add(ShardIndexConfig.ElementIdField);
        }

        _documentTagNames = [.. names];

        // Both indexes hold every batch up to the lower of their flushed sequences.
        _lastIndexed = Math.Min(index.AppliedBatchSequence, series.Store.AppliedBatchSequence);
    }

    /// <summary>The configuration.</summary>
    public ShardIndexConfig Config => _config;

    /// <summary>The inverted index (snapshots, schema).</summary>
    public IndexStore InvertedIndex => _index;

    /// <summary>The series index.</summary>
    public SeriesIndex Series => _series;

    /// <summary>Highest batch sequence either index holds in its files; a shard without a WAL numbers new batches above it so none is skipped as already flushed.</summary>
    public long HighestFlushedSequence => Math.Max(_index.AppliedBatchSequence, _series.Store.AppliedBatchSequence);

    /// <summary>Highest batch sequence both indexes have taken (in memory or in files); -1 when none.</summary>
    public long LastIndexedSequence => _lastIndexed;

    /// <summary>
    /// Every batch at or below this sequence is in index files: the WAL may be truncated up to it as far
    /// as the indexes are concerned, and replay after a crash must start right after it.
    /// </summary>
    public long DurableSequence
    {
        get
        {
            long bound = _lastIndexed;
            bound = Math.Min(bound, DurableIn(_index));
            bound = Math.Min(bound, DurableIn(_series.Store));
            return bound;
        }
    }

    /// <summary>Files the indexes' current manifests make live, relative to the shard folder (for snapshots and backups).</summary>
    public IReadOnlyList<string> LiveFiles
    {
        get
        {
            var files = new List<string>();
            foreach (string f in _index.LiveFiles)
            {
                files.Add(IndexFolder + "/" + f);
            }

            foreach (string f in _series.Store.LiveFiles)
            {
                files.Add(SeriesIndexFolder + "/" + f);
            }

            return files;
        }
    }

    /// <summary>Opens (or creates) the indexes of the shard in <paramref name="shardFolder"/>, verifying their live files.</summary>
    /// <exception cref="StorageCorruptionException">A manifest or a segment file is damaged or missing.</exception>
    public static ShardIndexer Open(string shardFolder, ShardIndexConfig config)
    {
        ArgumentNullException.ThrowIfNull(shardFolder);
        ArgumentNullException.ThrowIfNull(config);
        IndexStore index = IndexStore.Open(Path.Combine(shardFolder, IndexFolder), config.Schema);
        SeriesIndex series = SeriesIndex.Open(Path.Combine(shardFolder, SeriesIndexFolder), config.EntityTagNames);
        return new ShardIndexer(config, index, series);
    }

    /// <summary>Validates and indexes one batch (<see cref="Prepare"/> then <see cref="Apply"/>). Returns false when the batch was already indexed.</summary>
    public bool Index(long batchSequence, WriteBatch batch)
    {
        if (batchSequence <= _lastIndexed)
        {
            return false;
        }

        return Apply(batchSequence, Prepare(batch));
    }

    /// <summary>
    /// Computes the index documents and the series of <paramref name="batch"/>, validating it first: the
    /// kind, the entity tags (present, not null, not float64, hashing to the row's series id) and the
    /// indexed tags' column types. Changes nothing, so a shard calls it before logging the batch.
    /// </summary>
    /// <remarks>Thread-safe: it reads only the configuration.</remarks>
    /// <exception cref="ArgumentException">The batch cannot be indexed; the message names the column or row.</exception>
    public PreparedIndexBatch Prepare(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Kind != _config.Kind)
        {
            throw new ArgumentException($"batch is a {batch.Kind} batch, the index of '{_config.Subject}' is for a {_config.Kind}", nameof(batch));
        }

        batch.Validate();
        IReadOnlyList<string> entityNames = _config.EntityTagNames;
        var entityColumns = new ColumnBuffer[entityNames.Count];
        for (int e = 0; e < entityColumns.Length; e++)
        {
            entityColumns[e] = FindTagColumn(batch, entityNames[e], null)
                ?? throw new ArgumentException($"batch of '{_config.Subject}' has no column for entity tag '{entityNames[e]}'", nameof(batch));
            CheckTagType(entityColumns[e]);
        }

        IReadOnlyList<ShardIndexRule> rules = _config.Rules;
        var ruleColumns = new ColumnTagValueCache?[rules.Count];
        for (int r = 0; r < rules.Count; r++)
        {
            if (FindTagColumn(batch, rules[r].Tag, rules[r].Family) is { } c)
            {
                CheckTagType(c);
                ruleColumns[r] = new ColumnTagValueCache(c);
            }
        }

        var series = new List<(string, IReadOnlyList<string>, IReadOnlyList<TagValue>)>();
        var documents = new List<IndexDocument>(_config.Kind == DataKind.Stream ? batch.Count : 0);
        // Per batch, not per row; local so concurrent writers may prepare at once.
        var batchSeries = new HashSet<ulong>();
        var measureDocs = new HashSet<(ulong SeriesId, ulong ValuesHash)>();
        var valueHash = new System.IO.Hashing.XxHash64();
        var values = new DocumentValues(_documentTagNames);
        ReadOnlySpan<ulong> seriesIds = batch.SeriesIds;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        ReadOnlySpan<long> versions = batch.Versions;
        for (int row = 0; row < batch.Count; row++)
        {
            ulong seriesId = seriesIds[row];
            if (batchSeries.Add(seriesId))
            {
                series.Add((_config.Subject, entityNames, EntityValues(entityColumns, row, seriesId)));
            }

            if (_config.Kind == DataKind.Measure)
            {
                // A measure document describes its series: one per distinct combination of indexed values.
                valueHash.Reset();
                foreach (ColumnTagValueCache? c in ruleColumns)
                {
                    if (c is not null)
                    {
                        ColumnTagValues.AppendTo(valueHash, c.Column, row);
                    }
                }

                if (!measureDocs.Add((seriesId, valueHash.GetCurrentHashAsUInt64())))
                {
                    continue;
                }

                if (rules.Count > 0)
                {
                    documents.Add(new IndexDocument(seriesId, 0, values.Next(ruleColumns, row, batch.Count - row, null)));
                }
            }
            else
            {
                documents.Add(new IndexDocument(seriesId, timestamps[row], values.Next(ruleColumns, row, batch.Count - row, TagValue.FromInt64(versions[row]))));
            }
        }

        return new PreparedIndexBatch(documents, series);
    }

    /// <summary>
    /// Adds a prepared batch under its WAL sequence number. Each index skips a batch its files already
    /// hold, so replaying the WAL never duplicates documents. Returns false when the batch was already indexed.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence does not increase over the last batch indexed.</exception>
    public bool Apply(long batchSequence, PreparedIndexBatch prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (batchSequence <= _lastIndexed)
        {
            return false;
        }

        if (batchSequence > _series.Store.LastBatchSequence)
        {
            _series.Register(batchSequence, prepared.Series);
        }

        if (prepared.Documents.Count > 0 && batchSequence > _index.LastBatchSequence)
        {
            _index.AddBatch(batchSequence, prepared.Documents);
        }

        _lastIndexed = batchSequence;
        return true;
    }

    /// <summary>Writes both indexes' in-memory segments to files and publishes their manifests; afterwards <see cref="DurableSequence"/> equals <see cref="LastIndexedSequence"/>.</summary>
    public void Flush()
    {
        FlushUpToLastIndexed(_series.Store);
        FlushUpToLastIndexed(_index);
    }

    /// <summary>
    /// Merges each index's flushed files into one, for an index holding at least
    /// <paramref name="minimumFiles"/> of them (a merge rewrites every file, so the shard waits for a
    /// few). Returns true when a merge ran.
    /// </summary>
    public bool Merge(int minimumFiles = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumFiles, 2);
        bool merged = false;
        foreach (IndexStore store in (ReadOnlySpan<IndexStore>)[_series.Store, _index])
        {
            if (store.View().Flushed.Count >= minimumFiles)
            {
                store.Merge();
                merged = true;
            }
        }

        return merged;
    }

    /// <summary>Number of index documents (flushed and in memory).</summary>
    public long DocumentCount
    {
        get
        {
            long n = 0;
            foreach (IndexSegment s in _index.View().Segments)
            {
                n += s.DocCount;
            }

            return n;
        }
    }

    /// <summary>The series id of a fully given entity, or null when the shard has no such series.</summary>
    public ulong? ResolveSeries(IReadOnlyList<TagValue> entityValues) => _series.Resolve(_config.Subject, entityValues);

    /// <summary>Series of the subject whose entity values match <paramref name="entityCriteria"/> (null: all series).</summary>
    public IReadOnlyList<SeriesMatch> FindSeries(Criteria? entityCriteria) => _series.Find(_config.Subject, _config.EntityTagNames, entityCriteria);

    /// <summary>
    /// Appends to <paramref name="hits"/> the documents that may match <paramref name="criteria"/>
    /// (null: all). Streams: elements with <paramref name="minTimestamp"/> ≤ timestamp ≤
    /// <paramref name="maxTimestamp"/>. Measures: series documents (the time range applies to rows,
    /// not to series). A row matches iff it is located by a hit and <see cref="IndexHit.Accepts"/> it.
    /// </summary>
    public void Search(Criteria? criteria, long minTimestamp, long maxTimestamp, List<IndexHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        bool stream = _config.Kind == DataKind.Stream;
        foreach (SegmentPlan plan in FilterPlanner.Plan(criteria, _index.View(), _config.Schema))
        {
            IndexSegment segment = plan.Segment;
            ResidualFilter? residual = plan.Plan.Residual;
            PostingListIterator it = plan.Plan.Candidates.GetIterator();
            while (it.MoveNext())
            {
                int doc = (int)it.Current;
                if (!stream)
                {
                    hits.Add(new IndexHit(segment.SeriesIdAt(doc), 0, 0, segment, doc, residual));
                    continue;
                }

                long ts = segment.TimestampAt(doc);
                if (ts < minTimestamp || ts > maxTimestamp)
                {
                    continue;
                }

                TagValue elementId = segment.StoredValue(ShardIndexConfig.ElementIdField, doc)
                    ?? throw new StorageCorruptionException(segment.Name, -1, $"stream document {doc} has no stored element id");
                hits.Add(new IndexHit(segment.SeriesIdAt(doc), ts, elementId.Number, segment, doc, residual));
            }
        }
    }

    /// <summary>
    /// Flushes <paramref name="store"/> so its manifest records <see cref="_lastIndexed"/>, even when the
    /// latest batches gave it nothing to index (no new series, no indexed tag): an empty segment carries
    /// the sequence. Otherwise a store that sees no new documents would keep an old flushed sequence and,
    /// after a restart, hold the WAL replay point far back. Merges fold the empty segments away.
    /// </summary>
    private void FlushUpToLastIndexed(IndexStore store)
    {
        if (store.LastBatchSequence < _lastIndexed)
        {
            store.AddBatch(_lastIndexed, []);
        }

        store.Flush();
    }

    private static long DurableIn(IndexStore store)
    {
        IndexView s = store.View();
        return s.MemoryBatchSequences.Count == 0 ? long.MaxValue : s.MemoryBatchSequences[0] - 1;
    }

    private static ColumnBuffer? FindTagColumn(WriteBatch batch, string tag, string? family)
    {
        IReadOnlyList<ColumnBuffer> columns = batch.Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            ColumnBuffer c = columns[i];
            if (c.Family is not null && c.Name == tag && (family is null || c.Family == family))
            {
                return c;
            }
        }

        return null;
    }

    private static void CheckTagType(ColumnBuffer column)
    {
        if (!ColumnTagValues.IsTagType(column.Type))
        {
            throw new ArgumentException($"column '{column.Family}.{column.Name}' is {column.Type}, which cannot be an indexed or entity tag", nameof(column));
        }
    }

    private TagValue[] EntityValues(ColumnBuffer[] columns, int row, ulong seriesId)
    {
        var values = new TagValue[columns.Length];
        for (int e = 0; e < columns.Length; e++)
        {
            values[e] = ColumnTagValues.Get(columns[e], row)
                ?? throw new ArgumentException($"row {row} of '{_config.Subject}': entity tag '{columns[e].Name}' is null");
        }

        ulong expected = SeriesKey.ComputeSeriesId(_config.Subject, values);
        if (expected != seriesId)
        {
            throw new ArgumentException($"row {row} of '{_config.Subject}': series id {seriesId:x16} is not the hash of its entity values ({expected:x16})");
        }

        return values;
    }

    /// <summary>Hands out <see cref="RowTags"/> windows of shared value arrays (allocated per chunk of rows, not per row).</summary>
    private sealed class DocumentValues(string[] names)
    {
        private const int ChunkRows = 1024;
        private TagValue?[] _chunk = [];
        private int _used;

        public RowTags Next(ColumnTagValueCache?[] columns, int row, int rowsLeft, TagValue? elementId)
        {
            int width = names.Length;
            if (_used + width > _chunk.Length)
            {
                _chunk = new TagValue?[Math.Min(rowsLeft, ChunkRows) * width];
                _used = 0;
            }

            int offset = _used;
            for (int r = 0; r < columns.Length; r++)
            {
                _chunk[offset + r] = columns[r]?.Get(row);
            }

            if (elementId is not null)
            {
                _chunk[offset + columns.Length] = elementId;
            }

            _used += width;
            return new RowTags(names, _chunk, offset);
        }
    }
}
