using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Banyan.Storage.Columns;
using Banyan.Storage.Durability;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The indexes of one shard, fed by the shard's write batches: the series index (<c>sidx/</c>, entity →
/// series id, one for every subject) and one inverted index per subject (<c>idx/&lt;folder&gt;/</c>) with
/// that subject's index rules. A shard holds every measure (or every stream) of its group, as
/// BanyanDB's tsTable does; subjects are configured while the shard is open (<see cref="Configure"/>).
/// </summary>
/// <remarks>
/// <para>Lifecycle, like parts: every logged batch becomes an in-memory segment in the series index and
/// in its subject's index (<see cref="Apply"/>, with the batch's WAL sequence number);
/// <see cref="Flush"/> writes them as immutable files and publishes manifests; <see cref="Merge"/>
/// merges flushed files; readers see immutable views. No hidden thread. <see cref="Apply"/> is called
/// by one thread in sequence order; <see cref="Flush"/> and <see cref="Merge"/> may run on other
/// threads at the same time (each store captures what it flushes); <see cref="Prepare"/> and the
/// searches are thread-safe.</para>
/// <para>Recovery: each index's manifest records the last batch sequence its files hold. After a
/// crash the shard replays its WAL from <see cref="DurableSequence"/> + 1 through the same
/// <see cref="Index"/> path; a batch already in an index's files is skipped by that index, so no
/// document is indexed twice. The shard must therefore never truncate its WAL beyond
/// <see cref="DurableSequence"/>. The configurations are kept in <c>idx/subjects.bin</c>
/// (<see cref="SubjectConfigFile"/>), so replay uses the rules in force.</para>
/// </remarks>
public sealed class ShardIndexer
{
    /// <summary>Folder of the inverted indexes, under the shard folder.</summary>
    public const string IndexFolder = "idx";

    /// <summary>Folder of the series index, under the shard folder.</summary>
    public const string SeriesIndexFolder = "sidx";

    private readonly string _shardFolder;
    private readonly DataKind _kind;
    private readonly SeriesIndex _series;
    private readonly object _configureGate = new();
    private volatile SubjectSet _subjects;
    private long _lastIndexed;

    // Series registered by writes accepted (logged and buffered, see Accept) but not applied yet: a seal applies them
    // in sequence order, a replay prepares them again, so a later batch of the same series need not register it. Until
    // its seal, a new series is otherwise found unregistered in every batch: its entity values decoded, hashed and
    // checked again each time, which, with seals thousands of writes apart, was most of the index's write-path cost.
    private readonly ConcurrentDictionary<ulong, byte> _accepted = new();
    private readonly Func<ulong, bool> _isKnownOrAccepted;

    private ShardIndexer(string shardFolder, DataKind kind, SeriesIndex series, SubjectSet subjects)
    {
        _shardFolder = shardFolder;
        _kind = kind;
        _series = series;
        _subjects = subjects;
        _isKnownOrAccepted = id => _series.Contains(id) || _accepted.ContainsKey(id);

        // Every index holds every batch up to the lowest of their flushed sequences.
        long low = series.Store.AppliedBatchSequence;
        foreach (SubjectIndex subject in subjects.List)
        {
            low = Math.Min(low, subject.Store.AppliedBatchSequence);
        }

        _lastIndexed = low;
    }

    /// <summary>Measure or stream: the kind of every subject of the shard.</summary>
    public DataKind Kind => _kind;

    /// <summary>The configurations of the subjects, in the order they were first configured.</summary>
    public IReadOnlyList<ShardIndexConfig> Subjects
    {
        get
        {
            SubjectSet s = _subjects;
            var configs = new ShardIndexConfig[s.List.Length];
            for (int i = 0; i < configs.Length; i++)
            {
                configs[i] = s.List[i].Config;
            }

            return configs;
        }
    }

    /// <summary>The subject unnamed batches (<see cref="WriteBatch.Subject"/> empty) belong to, or null when they belong to none.</summary>
    public string? DefaultSubject => _subjects.Default;

    /// <summary>The configuration of the default subject (a shard of one subject).</summary>
    /// <exception cref="InvalidOperationException">No default subject is set.</exception>
    public ShardIndexConfig Config => Resolve(string.Empty).Config;

    /// <summary>The inverted index of the default subject.</summary>
    public IndexStore InvertedIndex => Resolve(string.Empty).Store;

    /// <summary>The series index.</summary>
    public SeriesIndex Series => _series;

    /// <summary>Highest batch sequence any index holds in its files; a shard without a WAL numbers new batches above it so none is skipped as already flushed.</summary>
    public long HighestFlushedSequence
    {
        get
        {
            long high = _series.Store.AppliedBatchSequence;
            foreach (SubjectIndex subject in _subjects.List)
            {
                high = Math.Max(high, subject.Store.AppliedBatchSequence);
            }

            return high;
        }
    }

    /// <summary>Highest batch sequence every index has taken (in memory or in files); -1 when none.</summary>
    public long LastIndexedSequence => Volatile.Read(ref _lastIndexed);

    /// <summary>
    /// Every batch at or below this sequence is in index files: the WAL may be truncated up to it as far
    /// as the indexes are concerned, and replay after a crash must start right after it.
    /// </summary>
    public long DurableSequence
    {
        get
        {
            long bound = LastIndexedSequence;
            bound = Math.Min(bound, DurableIn(_series.Store));
            foreach (SubjectIndex subject in _subjects.List)
            {
                bound = Math.Min(bound, DurableIn(subject.Store));
            }

            return bound;
        }
    }

    /// <summary>Files the indexes make live, relative to the shard folder (for snapshots and backups).</summary>
    public IReadOnlyList<string> LiveFiles
    {
        get
        {
            var files = new List<string>();
            SubjectSet subjects = _subjects;
            if (subjects.List.Length > 0)
            {
                files.Add(IndexFolder + "/" + SubjectConfigFile.FileName);
            }

            foreach (SubjectIndex subject in subjects.List)
            {
                string prefix = subject.Folder.Length == 0 ? IndexFolder + "/" : IndexFolder + "/" + subject.Folder + "/";
                foreach (string f in subject.Store.LiveFiles)
                {
                    files.Add(prefix + f);
                }
            }

            foreach (string f in _series.Store.LiveFiles)
            {
                files.Add(SeriesIndexFolder + "/" + f);
            }

            return files;
        }
    }

    /// <summary>Number of inverted-index documents of every subject (flushed and in memory).</summary>
    public long DocumentCount
    {
        get
        {
            long n = 0;
            foreach (SubjectIndex subject in _subjects.List)
            {
                foreach (IndexSegment s in subject.Store.View().Segments)
                {
                    n += s.DocCount;
                }
            }

            return n;
        }
    }

    /// <summary>True when the shard in <paramref name="shardFolder"/> has indexes on disk (a configuration file, or the index of a single-subject shard).</summary>
    public static bool Exists(string shardFolder)
    {
        string idx = Path.Combine(shardFolder, IndexFolder);
        return File.Exists(Path.Combine(idx, SubjectConfigFile.FileName)) || HasLegacyIndex(idx);
    }

    /// <summary>Opens (or creates) the indexes of a shard of one subject, which is also the default subject.</summary>
    /// <exception cref="StorageCorruptionException">A configuration, manifest or segment file is damaged or missing.</exception>
    public static ShardIndexer Open(string shardFolder, ShardIndexConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Open(shardFolder, config.Kind, [config], config.Subject);
    }

    /// <summary>
    /// Opens (or creates) the indexes of the shard in <paramref name="shardFolder"/>: the subjects kept in
    /// its configuration file, then <paramref name="subjects"/> configured over them (new subjects added,
    /// changed rules taking effect), verifying every live file.
    /// </summary>
    /// <param name="shardFolder">The shard folder.</param>
    /// <param name="kind">Measure or stream: every subject must be of this kind.</param>
    /// <param name="subjects">Subjects to configure now (may be empty).</param>
    /// <param name="defaultSubject">The subject unnamed batches belong to (a shard written before subjects were named), or null.</param>
    /// <exception cref="StorageCorruptionException">A configuration, manifest or segment file is damaged or missing.</exception>
    /// <exception cref="ArgumentException">A configuration is of the other kind or changes a subject's entity.</exception>
    public static ShardIndexer Open(string shardFolder, DataKind kind, IReadOnlyList<ShardIndexConfig> subjects, string? defaultSubject)
    {
        ArgumentNullException.ThrowIfNull(shardFolder);
        ArgumentNullException.ThrowIfNull(subjects);
        string idx = Path.Combine(shardFolder, IndexFolder);
        DurableDirectory.Create(idx);
        AtomicFile.DeleteLeftovers(idx);
        string file = Path.Combine(idx, SubjectConfigFile.FileName);
        List<(ShardIndexConfig Config, string Folder)> kept = File.Exists(file) ? SubjectConfigFile.Decode(file, File.ReadAllBytes(file)) : [];
        bool legacy = kept.Count == 0 && HasLegacyIndex(idx);
        foreach ((ShardIndexConfig config, _) in kept)
        {
            if (config.Kind != kind)
            {
                throw new StorageCorruptionException(file, -1, $"subject '{config.Subject}' is a {config.Kind}, the shard stores {kind} rows");
            }
        }

        var entityNames = new List<string>();
        foreach ((ShardIndexConfig config, _) in kept)
        {
            entityNames.AddRange(config.EntityTagNames);
        }

        var list = new List<SubjectIndex>(kept.Count);
        foreach ((ShardIndexConfig config, string folder) in kept)
        {
            list.Add(new SubjectIndex(config, IndexStore.Open(FolderPath(idx, folder), config.Schema), folder));
        }

        SeriesIndex series = SeriesIndex.Open(Path.Combine(shardFolder, SeriesIndexFolder), entityNames);
        var indexer = new ShardIndexer(shardFolder, kind, series, new SubjectSet([.. list], defaultSubject));
        foreach (ShardIndexConfig config in subjects)
        {
            // A single-subject shard written before subjects were configured keeps its index in idx/.
            bool adoptLegacy = legacy && config.Subject == defaultSubject;
            indexer.ConfigureCore(config, adoptLegacy);
        }

        return indexer;
    }

    /// <summary>
    /// Adds a subject, or changes the index rules of one: the configuration is written to the shard's
    /// configuration file first, then batches prepared from now on are indexed with it (documents
    /// indexed before keep the fields they had). Idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is of the other kind, or changes the subject's entity (series ids are the hash of it).</exception>
    public void Configure(ShardIndexConfig config) => ConfigureCore(config, adoptLegacy: false);

    /// <summary>True when <paramref name="subject"/> (or, when empty, the default subject) is configured.</summary>
    public bool IsConfigured(string subject) => TryResolve(subject) is not null;

    /// <summary>The configuration of <paramref name="subject"/> (empty: the default subject), or null.</summary>
    public ShardIndexConfig? ConfigOf(string subject) => TryResolve(subject)?.Config;

    /// <summary>
    /// The entity of series <paramref name="seriesId"/> from its key in the series index, with its subject's entity tag
    /// names: where a part of format 4 reads the entity tags it does not store (<see cref="SeriesEntityLookup"/>). Null
    /// when the series or its subject is unknown.
    /// </summary>
    /// <exception cref="StorageCorruptionException">The stored key is not a well-formed series key.</exception>
    public SeriesEntity? EntityOf(ulong seriesId)
        => KeyOf(seriesId) is { } decoded && ConfigOf(decoded.Subject) is { } config && config.EntityTagNames.Count == decoded.Entity.Length
            ? new SeriesEntity(config.EntityTagNames, decoded.Entity)
            : null;

    /// <summary>
    /// What the WAL record of <paramref name="batch"/> may leave out: the values of its string and binary entity tag
    /// columns (<see cref="EntityTagColumns"/>, the columns a seal marks) in the rows whose series the series
    /// index holds in its files. A replay restores them from the series' keys (<see cref="EntityValuesOf"/>), which
    /// survive any crash the record does; a series registered since the last flush keeps its tags in the record. Null
    /// when nothing can be left out (an unconfigured subject, no such column, or no such row).
    /// </summary>
    public EntityOmission? OmissionFor(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (TryResolve(batch.Subject) is not { } subject || subject.Config.EntityTagNames is not { Count: > 0 } names)
        {
            return null;
        }

        IReadOnlyList<ColumnBuffer> columns = batch.Columns;
        OmissionLayout layout = subject.LastOmissionLayout is { } last && last.Matches(columns)
            ? last
            : subject.LastOmissionLayout = OmissionLayout.Of(columns, names);
        if (layout.Omitted is not { } omitted)
        {
            return null;
        }

        ReadOnlySpan<ulong> series = batch.SeriesIds;
        bool[] rows = new bool[series.Length];
        bool any = false;
        for (int r = 0; r < rows.Length; r++)
        {
            rows[r] = _series.IsInFiles(series[r]);
            any |= rows[r];
        }

        return any ? new EntityOmission(omitted, layout.Positions!, rows) : null;
    }

    /// <summary>
    /// The entity values of series <paramref name="seriesId"/> from its key in the series index, in the key's order, or
    /// null when the index does not hold it: how a WAL replay restores the tags <see cref="OmissionFor"/> left out.
    /// </summary>
    /// <exception cref="StorageCorruptionException">The stored key is not a well-formed series key.</exception>
    public TagValue[]? EntityValuesOf(ulong seriesId) => KeyOf(seriesId)?.Entity;

    // The subject and entity values decoded from the series' stored key; null when the series index does not hold it.
    private (string Subject, TagValue[] Entity)? KeyOf(ulong seriesId)
    {
        if (_series.FindKey(seriesId) is not { } found)
        {
            return null;
        }

        try
        {
            return SeriesKey.Decode(found.Key);
        }
        catch (FormatException e)
        {
            // The segment's image is decompressed whole, so a byte offset in the file would not point at the key: the
            // document number does.
            throw new StorageCorruptionException(found.Segment, -1, $"document {found.Document}: the series key of series {seriesId} is malformed: {e.Message}", e);
        }
    }

    /// <summary>The inverted index of <paramref name="subject"/>.</summary>
    /// <exception cref="ArgumentException">The subject is not configured.</exception>
    public IndexStore InvertedIndexOf(string subject) => Resolve(subject).Store;

    /// <summary>Validates and indexes one batch (<see cref="Prepare"/> then <see cref="Apply"/>). Returns false when the batch was already indexed.</summary>
    public bool Index(long batchSequence, WriteBatch batch)
    {
        if (batchSequence <= LastIndexedSequence)
        {
            return false;
        }

        return Apply(batchSequence, Prepare(batch));
    }

    /// <summary>
    /// Computes the index documents and the series of <paramref name="batch"/>, validating it first: its
    /// subject is configured (an unnamed batch belongs to the default subject), the kind, the entity
    /// tags (present, not null, not float64, hashing to the row's series id) and the indexed tags'
    /// column types. Changes nothing, so a shard calls it before logging the batch.
    /// </summary>
    /// <remarks>Thread-safe: it reads only the configuration.</remarks>
    /// <exception cref="ArgumentException">The batch cannot be indexed; the message names the subject, column or row.</exception>
    public PreparedIndexBatch Prepare(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Kind != _kind)
        {
            throw new ArgumentException($"batch is a {batch.Kind} batch, the indexes of this shard are for a {_kind}", nameof(batch));
        }

        return Resolve(batch.Subject).Prepare(batch, _isKnownOrAccepted);
    }

    /// <summary>
    /// Records that the write <paramref name="prepared"/> was made for is logged and buffered, so it will be applied
    /// (or prepared again by a replay): batches prepared after it leave its series and its subject's series documents
    /// to it. Call it only once nothing can undo the write, and before a seal can apply it.
    /// </summary>
    public void Accept(PreparedIndexBatch? prepared)
    {
        if (prepared is null)
        {
            return;
        }

        foreach (ulong id in prepared.SeriesIds)
        {
            _accepted.TryAdd(id, 0);
        }

        // The write is accepted, so its documents are as good as added: batches prepared from now on leave its series to
        // it (one prepared before this may carry a document too; the store keeps the first, see Apply).
        prepared.Target.Documented?.Accept(prepared.Documents);
    }

    /// <summary>
    /// Adds a prepared batch under its WAL sequence number (null: a batch of no indexed subject, which
    /// only moves <see cref="LastIndexedSequence"/>). Each index skips a batch its files already hold, so
    /// replaying the WAL never duplicates documents. Returns false when the batch was already indexed.
    /// Called by one thread, in sequence order.
    /// </summary>
    public bool Apply(long batchSequence, PreparedIndexBatch? prepared)
    {
        if (batchSequence <= LastIndexedSequence)
        {
            return false;
        }

        if (prepared is not null)
        {
            if (batchSequence > _series.Store.LastBatchSequence)
            {
                _series.Register(batchSequence, prepared.Series);
            }

            // Registered now (or held by the store already): the series index answers for them from here.
            foreach (ulong id in prepared.SeriesIds)
            {
                _accepted.TryRemove(id, out _);
            }

            IndexStore store = prepared.Target.Store;
            if (prepared.Documents.Count > 0 && batchSequence > store.LastBatchSequence)
            {
                // A subject without index rules has one valueless document per series: a series' later ones (batches
                // prepared before the first was accepted) say nothing more and are left out.
                IReadOnlyList<IndexDocument> documents = prepared.Documents;
                if (prepared.Target.Documented is { } documented)
                {
                    if (prepared.Target.DocumentsPerSeries)
                    {
                        documents = documented.TakeUnstored(documents);
                    }
                    else
                    {
                        documented.MarkStored(documents);
                    }
                }

                if (documents.Count > 0)
                {
                    store.AddBatch(batchSequence, documents, prepared.Target.Config.Schema);
                }
            }
        }

        Volatile.Write(ref _lastIndexed, batchSequence);
        return true;
    }

    /// <summary>
    /// Writes the indexes' in-memory segments to files and publishes their manifests; afterwards
    /// <see cref="DurableSequence"/> is at least the <see cref="LastIndexedSequence"/> read when the
    /// flush started. May run while <see cref="Apply"/> goes on.
    /// </summary>
    public void Flush()
    {
        // Every batch up to it was added to the stores before this read, so before their captures.
        long through = LastIndexedSequence;
        _series.Store.Flush(through);
        _series.MarkFlushedSeriesDurable();
        foreach (SubjectIndex subject in _subjects.List)
        {
            // A store with nothing in memory holds everything of its subject in files already: leaving
            // it alone saves a manifest per idle subject (its old recovery point only means a replay
            // reads records it then skips).
            if (subject.Store.View().Memory.Count > 0)
            {
                subject.Store.Flush(through);
            }
        }
    }

    /// <summary>
    /// Merges each index's flushed files (those built with the same fields) into one, for an index
    /// holding at least <paramref name="minimumFiles"/> of them (a merge rewrites every file, so the
    /// shard waits for a few). Returns true when a merge ran.
    /// </summary>
    public bool Merge(int minimumFiles = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumFiles, 2);
        bool merged = _series.Store.Merge(minimumFiles);
        foreach (SubjectIndex subject in _subjects.List)
        {
            merged |= subject.Store.Merge(minimumFiles);
        }

        return merged;
    }

    /// <summary>The series id of a fully given entity of the default subject, or null when the shard has no such series.</summary>
    public ulong? ResolveSeries(IReadOnlyList<TagValue> entityValues) => ResolveSeries(string.Empty, entityValues);

    /// <summary>The series id of a fully given entity of <paramref name="subject"/>, or null when the shard has no such series.</summary>
    public ulong? ResolveSeries(string subject, IReadOnlyList<TagValue> entityValues) => _series.Resolve(Resolve(subject).Config.Subject, entityValues);

    /// <summary>Series of the default subject whose entity values match <paramref name="entityCriteria"/> (null: all series).</summary>
    public IReadOnlyList<SeriesMatch> FindSeries(Criteria? entityCriteria) => FindSeries(string.Empty, entityCriteria);

    /// <summary>Series of <paramref name="subject"/> whose entity values match <paramref name="entityCriteria"/> (null: all series).</summary>
    public IReadOnlyList<SeriesMatch> FindSeries(string subject, Criteria? entityCriteria)
    {
        ShardIndexConfig config = Resolve(subject).Config;
        return _series.Find(config.Subject, config.EntityTagNames, entityCriteria);
    }

    /// <summary>The series ids of <paramref name="subject"/>, ascending.</summary>
    public ulong[] SeriesIdsOf(string subject) => _series.SeriesIdsOf(Resolve(subject).Config.Subject);

    /// <summary>Index search in the default subject (see <see cref="Search(string, Criteria?, long, long, List{IndexHit})"/>).</summary>
    public void Search(Criteria? criteria, long minTimestamp, long maxTimestamp, List<IndexHit> hits) => Search(string.Empty, criteria, minTimestamp, maxTimestamp, hits);

    /// <summary>
    /// Appends to <paramref name="hits"/> the documents of <paramref name="subject"/> that may match
    /// <paramref name="criteria"/> (null: all): its candidates, each with the residual filter the index
    /// left. Streams: elements with <paramref name="minTimestamp"/> ≤ timestamp ≤ <paramref name="maxTimestamp"/>.
    /// Measures: series documents (the time range applies to rows, not to series). A row matches iff it
    /// is located by a hit and <see cref="IndexHit.Accepts"/> it.
    /// </summary>
    public void Search(string subject, Criteria? criteria, long minTimestamp, long maxTimestamp, List<IndexHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        SubjectIndex target = Resolve(subject);
        bool stream = _kind == DataKind.Stream;
        foreach (SegmentPlan plan in FilterPlanner.Plan(criteria, target.Store.View(), target.Config.Schema))
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

    private static long DurableIn(IndexStore store) => store.View().FlushedThrough;

    private static bool HasLegacyIndex(string idx) =>
        Directory.Exists(idx)
        && (Directory.EnumerateFiles(idx, "*" + IndexManifest.FileExtension).Any() || Directory.EnumerateFiles(idx, "*" + IndexSegmentFormat.FileExtension).Any());

    private static string FolderPath(string idx, string folder) => folder.Length == 0 ? idx : Path.Combine(idx, folder);

    // The index folder of a new subject: the hash of its name, so any name makes a safe folder name.
    private static string NewFolder(string subject) => HexFileName.Format(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(subject)));

    private SubjectIndex Resolve(string subject) =>
        TryResolve(subject) ?? throw new ArgumentException(
            subject.Length == 0
                ? $"the batch or query names no subject and shard {_shardFolder} has no default subject"
                : $"subject '{subject}' is not configured in shard {_shardFolder}; configure it (Shard.ConfigureSubject) before writing or querying it",
            nameof(subject));

    private SubjectIndex? TryResolve(string subject)
    {
        SubjectSet s = _subjects;
        string name = subject.Length == 0 ? s.Default ?? string.Empty : subject;
        return s.ByName.GetValueOrDefault(name);
    }

    private void ConfigureCore(ShardIndexConfig config, bool adoptLegacy)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Kind != _kind)
        {
            throw new ArgumentException($"subject '{config.Subject}' is configured as a {config.Kind}, the shard stores {_kind} rows", nameof(config));
        }

        lock (_configureGate)
        {
            SubjectSet current = _subjects;
            SubjectIndex? existing = current.ByName.GetValueOrDefault(config.Subject);
            if (existing is not null && existing.Config.SameAs(config))
            {
                return;
            }

            if (existing is not null && !existing.Config.EntityTagNames.SequenceEqual(config.EntityTagNames, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"subject '{config.Subject}': the entity cannot change (it is [{string.Join(", ", existing.Config.EntityTagNames)}], the new configuration says [{string.Join(", ", config.EntityTagNames)}]): series ids are the hash of it",
                    nameof(config));
            }

            string folder = existing?.Folder ?? (adoptLegacy ? string.Empty : NewFolder(config.Subject));
            if (existing is null)
            {
                foreach (SubjectIndex other in current.List)
                {
                    if (other.Folder == folder)
                    {
                        throw new ArgumentException($"subjects '{other.Config.Subject}' and '{config.Subject}' would share the index folder '{folder}' (a hash collision); rename one", nameof(config));
                    }
                }
            }

            // The file first: a crash after it replays the WAL with the new rules, which indexes more, never less.
            var next = new List<SubjectIndex>(current.List.Length + 1);
            var entries = new List<(ShardIndexConfig, string)>(current.List.Length + 1);
            foreach (SubjectIndex subject in current.List)
            {
                ShardIndexConfig c = subject.Config.Subject == config.Subject ? config : subject.Config;
                entries.Add((c, subject.Folder));
            }

            if (existing is null)
            {
                entries.Add((config, folder));
            }

            string idx = Path.Combine(_shardFolder, IndexFolder);
            AtomicFile.Write(Path.Combine(idx, SubjectConfigFile.FileName), SubjectConfigFile.Encode(entries));
            _series.AddEntityTags(config.EntityTagNames);
            IndexStore store;
            if (existing is null)
            {
                store = IndexStore.Open(FolderPath(idx, folder), config.Schema);
            }
            else
            {
                store = existing.Store;
                store.ChangeSchema(config.Schema);
            }

            foreach (SubjectIndex subject in current.List)
            {
                next.Add(subject == existing ? new SubjectIndex(config, store, folder, existing.Documented) : subject);
            }

            if (existing is null)
            {
                next.Add(new SubjectIndex(config, store, folder));
            }

            _subjects = new SubjectSet([.. next], current.Default);
        }
    }

    /// <summary>An immutable snapshot of the configured subjects, replaced as a whole on a change.</summary>
    private sealed class SubjectSet
    {
        public SubjectSet(SubjectIndex[] list, string? defaultSubject)
        {
            List = list;
            Default = defaultSubject;
            ByName = new Dictionary<string, SubjectIndex>(list.Length, StringComparer.Ordinal);
            foreach (SubjectIndex subject in list)
            {
                ByName.Add(subject.Config.Subject, subject);
            }
        }

        public SubjectIndex[] List { get; }

        public Dictionary<string, SubjectIndex> ByName { get; }

        public string? Default { get; }
    }
}
