using Banyan.Storage.Columns;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The inverted index of one subject (measure or stream) of a shard: its configuration (entity tags
/// and index rules) and its <see cref="IndexStore"/> (<c>idx/&lt;folder&gt;/</c>), with the work that
/// turns a write batch of the subject into index documents and series registrations.
/// </summary>
/// <remarks>
/// Immutable but for the store, which is shared by the successive configurations of the subject: a
/// configuration change makes a new <see cref="SubjectIndex"/> over the same store, so a batch
/// prepared under the old rules is applied with the fields it was prepared for.
/// </remarks>
internal sealed class SubjectIndex
{
    private readonly string[] _documentTagNames;
    private OmissionLayout? _lastOmissionLayout;

    public SubjectIndex(ShardIndexConfig config, IndexStore store, string folder, DocumentedSeries? documented = null)
    {
        Config = config;
        Store = store;
        Folder = folder;
        Documented = config.Kind == DataKind.Measure ? documented ?? DocumentedSeries.Of(store) : null;

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
    }

    /// <summary>The configuration.</summary>
    public ShardIndexConfig Config { get; }

    /// <summary>
    /// What the WAL record of the subject's last batch could leave out, for the next batch of the same column layout
    /// (<see cref="ShardIndexer.OmissionFor"/>); null before the first. Written and read by concurrent writers: each
    /// value is immutable, so any of them is right for a batch it matches.
    /// </summary>
    public OmissionLayout? LastOmissionLayout
    {
        get => Volatile.Read(ref _lastOmissionLayout);
        set => Volatile.Write(ref _lastOmissionLayout, value);
    }

    /// <summary>The inverted index of the subject.</summary>
    public IndexStore Store { get; }

    /// <summary>Measures: the series with a document in <see cref="Store"/> (shared with the subject's later configurations). Streams: null.</summary>
    public DocumentedSeries? Documented { get; }

    /// <summary>A measure subject without index rules: one document per series, carrying no value.</summary>
    public bool DocumentsPerSeries => Config.Kind == DataKind.Measure && Config.Rules.Count == 0;

    /// <summary>The store's folder, relative to the shard's <c>idx/</c> folder (empty: <c>idx/</c> itself, the layout of single-subject shards).</summary>
    public string Folder { get; }

    /// <summary>
    /// Computes the index documents and the series of <paramref name="batch"/>, validating it first: the
    /// entity tags (present, not null, not float64, hashing to the row's series id) and the indexed
    /// tags' column types. Changes nothing and is thread-safe. <paramref name="isKnownSeries"/> (the series index's
    /// membership) leaves out of the registrations the series already registered.
    /// </summary>
    /// <exception cref="ArgumentException">The batch cannot be indexed; the message names the column or row.</exception>
    public PreparedIndexBatch Prepare(WriteBatch batch, Func<ulong, bool>? isKnownSeries = null)
    {
        ShardIndexConfig config = Config;
        if (batch.Kind != config.Kind)
        {
            throw new ArgumentException($"batch is a {batch.Kind} batch, the index of '{config.Subject}' is for a {config.Kind}", nameof(batch));
        }

        batch.Validate();
        IReadOnlyList<string> entityNames = config.EntityTagNames;
        var entityColumns = new ColumnBuffer[entityNames.Count];
        for (int e = 0; e < entityColumns.Length; e++)
        {
            entityColumns[e] = FindTagColumn(batch, entityNames[e], null)
                ?? throw new ArgumentException($"batch of '{config.Subject}' has no column for entity tag '{entityNames[e]}'", nameof(batch));
            CheckTagType(entityColumns[e]);
        }

        IReadOnlyList<ShardIndexRule> rules = config.Rules;
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
        var newSeriesIds = new List<ulong>();
        var documents = new List<IndexDocument>(config.Kind == DataKind.Stream ? batch.Count : 0);

        // Per batch, not per row; local so concurrent writers may prepare at once. Allocated only when a row needs it:
        // on the service's write path nearly every row of a measure without rules is of a series already registered
        // and documented, which needs no per-batch bookkeeping (the set was 4 % of the write phase's allocated bytes).
        HashSet<ulong>? batchSeries = null;
        bool documentsPerSeries = DocumentsPerSeries;
        var measureDocs = new HashSet<(ulong SeriesId, ulong ValuesHash)>();
        var valueHash = new System.IO.Hashing.XxHash64();
        var values = new DocumentValues(_documentTagNames);
        ReadOnlySpan<ulong> seriesIds = batch.SeriesIds;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        ReadOnlySpan<long> versions = batch.Versions;
        for (int row = 0; row < batch.Count; row++)
        {
            ulong seriesId = seriesIds[row];
            bool? known = null;
            if (documentsPerSeries)
            {
                if (Documented!.IsRegisteredAndDocumented(seriesId))
                {
                    continue; // found so by an earlier row: nothing of this row goes to the index
                }

                known = isKnownSeries?.Invoke(seriesId) == true;
                if (known.Value && Documented.Contains(seriesId))
                {
                    // Registered and documented already: nothing of this row goes to the index, nor of the series' later
                    // rows, which then ask one question instead of two.
                    Documented.MarkRegistered(seriesId);
                    continue;
                }
            }

            bool firstOfSeries = (batchSeries ??= []).Add(seriesId);
            if (firstOfSeries && !(known ?? isKnownSeries?.Invoke(seriesId) == true))
            {
                // A series the index lacks is registered with its entity values, checked against its id (the key the
                // index keeps must be the one the id was hashed from). A series already registered is not decoded
                // again: on the service's write path nearly every row is of a known series, and decoding and hashing
                // its entity here was 4 % of the silo's CPU; its id was computed from these values by the writer.
                series.Add((config.Subject, entityNames, EntityValues(config, entityColumns, row, seriesId)));
                newSeriesIds.Add(seriesId);
            }

            if (documentsPerSeries)
            {
                // Without index rules a series' documents carry no value: one per series is all the index needs (a
                // search then finds the series and leaves the criteria to the rows; a rule added later is decided on
                // older rows the same way).
                if (firstOfSeries && !Documented!.Contains(seriesId))
                {
                    documents.Add(new IndexDocument(seriesId, 0, values.Next(ruleColumns, row, batch.Count - row, null)));
                }

                continue;
            }

            if (config.Kind == DataKind.Measure)
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

                documents.Add(new IndexDocument(seriesId, 0, values.Next(ruleColumns, row, batch.Count - row, null)));
            }
            else
            {
                documents.Add(new IndexDocument(seriesId, timestamps[row], values.Next(ruleColumns, row, batch.Count - row, TagValue.FromInt64(versions[row]))));
            }
        }

        return new PreparedIndexBatch(this, documents, series, newSeriesIds);
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

    private static TagValue[] EntityValues(ShardIndexConfig config, ColumnBuffer[] columns, int row, ulong seriesId)
    {
        var values = new TagValue[columns.Length];
        for (int e = 0; e < columns.Length; e++)
        {
            values[e] = ColumnTagValues.Get(columns[e], row)
                ?? throw new ArgumentException($"row {row} of '{config.Subject}': entity tag '{columns[e].Name}' is null");
        }

        ulong expected = SeriesKey.ComputeSeriesId(config.Subject, values);
        if (expected != seriesId)
        {
            throw new ArgumentException($"row {row} of '{config.Subject}': series id {seriesId:x16} is not the hash of its entity values ({expected:x16})");
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
