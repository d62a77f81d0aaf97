using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Values;

namespace Banyan.Storage.Series;

/// <summary>
/// The series index of one shard and segment (the <c>sidx/</c> folder): entity → series id, with the
/// entity values kept so queries can match them and return them.
/// </summary>
/// <remarks>
/// Built on <see cref="IndexStore"/>: every series is one document (doc table: series id, timestamp 0)
/// with three kinds of fields: <c>_key</c>, the series key (<see cref="SeriesKey"/>) as a binary term,
/// indexed and stored; <c>_subject</c>, the subject name; and each entity tag under its own name, so
/// entity conditions use the ordinary planner. Because the key is the series-id preimage and sorts by
/// subject then tag by tag, a fully given entity resolves with one dictionary lookup, and a leading
/// subset of entity values is one dictionary range.
/// </remarks>
public sealed class SeriesIndex
{
    /// <summary>Field holding the series key.</summary>
    public const string KeyField = "_key";

    /// <summary>Field holding the subject.</summary>
    public const string SubjectField = "_subject";

    // Where a known series' document is (the value of _known).
    private const byte InMemory = 0;
    private const byte InFiles = 1;

    private readonly IndexStore _store;
    // Read by writers preparing batches (every row) while the shard's one applying thread adds to it; queries ask for its
    // count (a shard grain decides by it whether a lookup runs on its turn). The value says where the series' document
    // is: InMemory until the store's files hold it, then InFiles.
    private readonly SeriesIdMap _known = new();
    private readonly object _schemaGate = new();

    // Series registered since the last flush, with the batch sequence that registered them: a flush turns those at or
    // below the store's durable sequence into InFiles (MarkFlushedSeriesDurable). Register and the flush run on
    // different threads.
    private readonly Lock _pendingGate = new();
    private readonly List<(long Sequence, ulong[] Ids)> _inMemory = [];
    private PrefixLookupCache _prefixLookups;

    private SeriesIndex(IndexStore store)
    {
        _store = store;
        _prefixLookups = new PrefixLookupCache(store.View());
        foreach (IndexSegment segment in store.View().Segments)
        {
            for (int d = 0; d < segment.DocCount; d++)
            {
                _known.TryAdd(segment.SeriesIdAt(d), InFiles);
            }
        }
    }

    /// <summary>The underlying store (flush, merge, live files).</summary>
    public IndexStore Store => _store;

    /// <summary>Number of distinct series known. (Single writer: the owning shard serialises <see cref="Register"/> calls.)</summary>
    public int Count => _known.Count;

    /// <summary>True when <paramref name="seriesId"/> is registered. Thread-safe; a series registered concurrently may not be seen yet.</summary>
    public bool Contains(ulong seriesId) => _known.ContainsKey(seriesId);

    /// <summary>
    /// True when the document of <paramref name="seriesId"/> is in the index's files, so it survives a crash with its
    /// key: what a WAL record needs before it may leave out the series' entity tags (<see cref="Rows.EntityOmission"/>).
    /// False for a series registered since the last flush (<see cref="MarkFlushedSeriesDurable"/>). Thread-safe.
    /// </summary>
    public bool IsInFiles(ulong seriesId) => _known.TryGetValue(seriesId, out byte where) && where == InFiles;

    /// <summary>
    /// After a flush of <see cref="Store"/>: the series registered by batches the files now hold answer
    /// <see cref="IsInFiles"/> with true. Call it after the flush has published its manifest; calling it more often is harmless.
    /// </summary>
    public void MarkFlushedSeriesDurable()
    {
        long durable = _store.View().FlushedThrough;
        lock (_pendingGate)
        {
            int kept = 0;
            foreach ((long sequence, ulong[] ids) in _inMemory)
            {
                if (sequence > durable)
                {
                    _inMemory[kept++] = (sequence, ids);
                    continue;
                }

                foreach (ulong id in ids)
                {
                    _known.Set(id, InFiles);
                }
            }

            _inMemory.RemoveRange(kept, _inMemory.Count - kept);
        }
    }

    /// <summary>Opens the series index in <paramref name="directory"/>; <paramref name="entityTagNames"/> is the union of entity tag names of the subjects stored here.</summary>
    public static SeriesIndex Open(string directory, IReadOnlyCollection<string> entityTagNames)
    {
        ArgumentNullException.ThrowIfNull(entityTagNames);
        return new SeriesIndex(IndexStore.Open(directory, SchemaFor(entityTagNames)));
    }

    /// <summary>
    /// Also indexes <paramref name="entityTagNames"/> (the entity tags of a subject configured while
    /// the shard is open) in series registered from now on; series documents already indexed keep
    /// their fields, and conditions on the new names run on their stored keys.
    /// </summary>
    public void AddEntityTags(IEnumerable<string> entityTagNames)
    {
        ArgumentNullException.ThrowIfNull(entityTagNames);
        lock (_schemaGate)
        {
            var names = new List<string>();
            foreach (IndexedTag tag in _store.Schema.Tags)
            {
                if (tag.Name is not KeyField and not SubjectField)
                {
                    names.Add(tag.Name);
                }
            }

            int before = names.Count;
            foreach (string name in entityTagNames)
            {
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }

            if (names.Count != before)
            {
                _store.ChangeSchema(SchemaFor(names));
            }
        }
    }

    /// <summary>The series ids of <paramref name="subject"/>, ascending (one exact-term lookup per segment, no key decoded).</summary>
    public ulong[] SeriesIdsOf(string subject)
    {
        byte[] term = IndexTerm.Encode(TagValue.FromString(subject));
        var ids = new HashSet<ulong>();
        foreach (IndexSegment segment in _store.View().Segments)
        {
            PostingList? docs = segment.Field(SubjectField)?.Exact.Lookup(term);
            if (docs is null)
            {
                continue;
            }

            PostingListIterator it = docs.GetIterator();
            while (it.MoveNext())
            {
                ids.Add(segment.SeriesIdAt((int)it.Current));
            }
        }

        ulong[] sorted = [.. ids];
        Array.Sort(sorted);
        return sorted;
    }

    private static IndexSchema SchemaFor(IEnumerable<string> entityTagNames)
    {
        var tags = new List<IndexedTag> { new(KeyField), new(SubjectField, Stored: false) };
        foreach (string name in entityTagNames.Distinct(StringComparer.Ordinal))
        {
            if (name is KeyField or SubjectField)
            {
                throw new ArgumentException($"entity tag name '{name}' is reserved by the series index", nameof(entityTagNames));
            }

            tags.Add(new IndexedTag(name, Stored: false));
        }

        return new IndexSchema(tags);
    }

    /// <summary>
    /// Registers the series of a write batch; series already known are skipped. Returns the number added.
    /// Replaying a batch at or below the store's applied sequence adds nothing.
    /// </summary>
    public int Register(long batchSequence, IReadOnlyList<(string Subject, IReadOnlyList<string> EntityTagNames, IReadOnlyList<TagValue> EntityValues)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var documents = new List<IndexDocument>();
        var added = new HashSet<ulong>();
        foreach ((string subject, IReadOnlyList<string> names, IReadOnlyList<TagValue> values) in series)
        {
            if (names.Count != values.Count)
            {
                throw new ArgumentException($"series of '{subject}': {names.Count} entity tag names but {values.Count} values", nameof(series));
            }

            byte[] key = SeriesKey.Encode(subject, values);
            ulong id = System.IO.Hashing.XxHash64.HashToUInt64(key);
            if (_known.ContainsKey(id) || added.Contains(id))
            {
                continue;
            }

            var tags = new Dictionary<string, TagValue>(StringComparer.Ordinal)
            {
                [KeyField] = TagValue.FromBinary(key),
                [SubjectField] = TagValue.FromString(subject),
            };
            for (int i = 0; i < names.Count; i++)
            {
                tags[names[i]] = values[i];
            }

            documents.Add(new IndexDocument(id, 0, tags));
            added.Add(id);
        }

        if (documents.Count == 0 || !_store.AddBatch(batchSequence, documents))
        {
            return 0;
        }

        ulong[] ids = [.. added];
        lock (_pendingGate)
        {
            _inMemory.Add((batchSequence, ids));
        }

        foreach (ulong id in ids)
        {
            _known.TryAdd(id, InMemory);
        }

        return added.Count;
    }

    /// <summary>
    /// The series key (subject and entity values, <see cref="SeriesKey"/>) of series <paramref name="seriesId"/>, with where
    /// it is stored (the segment's name: its file, or a description of an in-memory segment; and the document number) for
    /// an error about the key to name; null when the index has no such series. For the tags a part of format 4 leaves out
    /// (<see cref="Parts.SeriesEntityLookup"/>): each segment finds a series' document through a table from series id to
    /// document it builds at its first use. Thread-safe.
    /// </summary>
    public (byte[] Key, string Segment, int Document)? FindKey(ulong seriesId)
    {
        foreach (IndexSegment segment in _store.View().Segments)
        {
            if (segment.TryFindSeries(seriesId, out int doc))
            {
                return segment.StoredValue(KeyField, doc)?.Bytes is { } key ? (key, segment.Name, doc) : null;
            }
        }

        return null;
    }

    /// <summary>Resolves a fully given entity to its series id with one dictionary lookup per segment; null when unknown.</summary>
    public ulong? Resolve(string subject, IReadOnlyList<TagValue> entityValues)
    {
        byte[] term = IndexTerm.Encode(TagValue.FromBinary(SeriesKey.Encode(subject, entityValues)));
        foreach (IndexSegment segment in _store.View().Segments)
        {
            PostingList? docs = segment.Field(KeyField)?.Exact.Lookup(term);
            if (docs is not null && !docs.IsEmpty)
            {
                PostingListIterator it = docs.GetIterator();
                it.MoveNext();
                return segment.SeriesIdAt((int)it.Current);
            }
        }

        return null;
    }

    /// <summary>
    /// All series of <paramref name="subject"/> whose first entity values equal <paramref name="leadingValues"/>, ascending
    /// by series id (a key-prefix range scan, sorted once: the answer is kept until the index changes,
    /// <see cref="PrefixLookupCache"/>, and readers merge by id). The list returned may be shared: read only.
    /// </summary>
    public IReadOnlyList<SeriesMatch> FindByPrefix(string subject, IReadOnlyList<TagValue> leadingValues)
    {
        ArgumentNullException.ThrowIfNull(leadingValues);
        byte[] prefix = IndexTerm.Encode(TagValue.FromBinary(SeriesKey.EncodePrefix(subject, leadingValues, leadingValues.Count)));
        IndexView view = _store.View();
        PrefixLookupCache cache = Volatile.Read(ref _prefixLookups);
        if (!ReferenceEquals(cache.View, view))
        {
            cache = new PrefixLookupCache(view);
            Volatile.Write(ref _prefixLookups, cache);
        }

        return cache.GetOrFind(prefix, () =>
        {
            // Every key extending the prefix sorts in [prefix, prefix with its final '|' raised to '}').
            byte[] upper = (byte[])prefix.Clone();
            upper[^1]++;
            var result = new List<SeriesMatch>();
            foreach (IndexSegment segment in view.Segments)
            {
                IndexFieldReader? field = segment.Field(KeyField);
                if (field is null)
                {
                    continue;
                }

                Collect(segment, field.Range(prefix, true, upper, false), null, null, result);
            }

            result.Sort(static (a, b) => a.SeriesId.CompareTo(b.SeriesId));
            return result;
        });
    }

    /// <summary>
    /// Series of <paramref name="subject"/> matching <paramref name="criteria"/> on entity tags (any
    /// operator; planned like any index query, with the residual run on the stored entity values).
    /// </summary>
    public IReadOnlyList<SeriesMatch> Find(string subject, IReadOnlyList<string> entityTagNames, Criteria? criteria)
    {
        ArgumentNullException.ThrowIfNull(entityTagNames);
        Criteria subjectOnly = new Condition(SubjectField, ConditionOp.Eq, TagValue.FromString(subject));
        Criteria full = criteria is null ? subjectOnly : new LogicalExpression(LogicalOp.And, subjectOnly, criteria);
        var result = new List<SeriesMatch>();
        foreach (SegmentPlan plan in FilterPlanner.Plan(full, _store.View(), _store.Schema))
        {
            Collect(plan.Segment, plan.Plan.Candidates, plan.Plan.Residual, entityTagNames, result);
        }

        return result;
    }

    private static void Collect(IndexSegment segment, PostingList docs, ResidualFilter? residual, IReadOnlyList<string>? names, List<SeriesMatch> result)
    {
        PostingListIterator it = docs.GetIterator();
        while (it.MoveNext())
        {
            int doc = (int)it.Current;
            TagValue stored = segment.StoredValue(KeyField, doc)
                ?? throw new StorageCorruptionException(segment.Name, -1, $"series document {doc} has no stored key");
            string subject;
            TagValue[] values;
            try
            {
                (subject, values) = SeriesKey.Decode(stored.Bytes);
            }
            catch (FormatException e)
            {
                throw new StorageCorruptionException(segment.Name, -1, $"series document {doc} has a malformed key: {e.Message}", e);
            }

            if (residual is not null && !residual.Matches(new EntityRow(subject, names!, values), doc))
            {
                continue;
            }

            result.Add(new SeriesMatch(segment.SeriesIdAt(doc), subject, values));
        }
    }

    private sealed class EntityRow(string subject, IReadOnlyList<string> names, TagValue[] values) : ITagRow
    {
        public TagValue? GetTag(string name)
        {
            if (name == SubjectField)
            {
                return TagValue.FromString(subject);
            }

            for (int i = 0; i < names.Count && i < values.Length; i++)
            {
                if (names[i] == name)
                {
                    return values[i];
                }
            }

            return null;
        }
    }
}
