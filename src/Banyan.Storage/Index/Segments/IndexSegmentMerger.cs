using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Values;
namespace Banyan.Storage.Index.Segments;

/// <summary>
/// Merges segments into one: documents are concatenated in input order (so document numbers of input
/// <c>i</c> shift by the document counts before it), term dictionaries are merged in one k-way pass,
/// and postings of equal terms are joined.
/// </summary>
public static class IndexSegmentMerger
{
    /// <summary>Merges <paramref name="segments"/> (in order) into one segment named <paramref name="name"/>, indexing the tags of <paramref name="schema"/>.</summary>
    public static IndexSegment Merge(IReadOnlyList<IndexSegment> segments, IndexSchema schema, string name)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(schema);
        long total = 0;
        foreach (IndexSegment s in segments)
        {
            total += s.DocCount;
        }

        if (total > int.MaxValue)
        {
            throw new InvalidOperationException($"merged segment would hold {total} documents, more than int.MaxValue");
        }

        int docCount = (int)total;
        ulong[] seriesIds = new ulong[docCount];
        long[] timestamps = new long[docCount];
        uint[] bases = new uint[segments.Count];
        int next = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            bases[i] = (uint)next;
            IndexSegment s = segments[i];
            for (int d = 0; d < s.DocCount; d++)
            {
                seriesIds[next] = s.SeriesIdAt(d);
                timestamps[next] = s.TimestampAt(d);
                next++;
            }
        }

        var payloads = new List<FieldPayload>();
        foreach (IndexedTag wanted in schema.Tags.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            IndexedTag? tag = OutputSpec(segments, wanted);
            if (tag is null)
            {
                continue;
            }

            var exact = new TermDictionaryWriter();
            MergeDictionaries(segments, bases, tag.Name, tokens: false, exact);
            TermDictionaryWriter? tokens = null;
            if (tag.HasTokenDictionary)
            {
                tokens = new TermDictionaryWriter();
                MergeDictionaries(segments, bases, tag.Name, tokens: true, tokens);
            }

            ByteBuffer? stored = tag.Stored ? MergeStored(segments, tag.Name) : null;
            bool multiValued = false;
            foreach (IndexSegment s in segments)
            {
                multiValued |= s.Field(tag.Name)!.MultiValued;
            }

            payloads.Add(new FieldPayload(tag, exact, tokens, stored, multiValued));
        }

        byte[] image;
        try
        {
            image = IndexSegmentWriter.Write(docCount, seriesIds, timestamps, payloads);
        }
        finally
        {
            FieldPayload.DisposeAll(payloads);
        }

        return IndexSegment.Parse(image, name, verifyChecksums: false);
    }

    /// <summary>
    /// What the merged segment can claim about <paramref name="wanted"/>: a tag is indexed only if every
    /// input indexed it (otherwise documents of some input would silently lack its terms), keeps its
    /// analyzer only if every input used the same one, and is stored only if every input stored it.
    /// </summary>
    private static IndexedTag? OutputSpec(IReadOnlyList<IndexSegment> segments, IndexedTag wanted)
    {
        bool sameAnalyzer = true, stored = wanted.Stored, exactTerms = wanted.ExactTerms;
        foreach (IndexSegment s in segments)
        {
            IndexFieldReader? field = s.Field(wanted.Name);
            if (field is null)
            {
                return null;
            }

            sameAnalyzer &= field.Spec.Analyzer == wanted.Analyzer;
            stored &= field.Spec.Stored;
            exactTerms &= field.Spec.ExactTerms;
        }

        // Without its own analyzer's tokens and without exact terms a field answers nothing.
        if (!sameAnalyzer && !exactTerms)
        {
            return null;
        }

        return new IndexedTag(wanted.Name, sameAnalyzer ? wanted.Analyzer : AnalyzerKind.None, stored, exactTerms);
    }

    private static void MergeDictionaries(IReadOnlyList<IndexSegment> segments, uint[] bases, string field, bool tokens, TermDictionaryWriter output)
    {
        var cursors = new TermDictionaryReader.TermCursor?[segments.Count];
        var queue = new PriorityQueue<int, (byte[] Term, int Segment)>(Comparer<(byte[] Term, int Segment)>.Create(static (a, b) =>
        {
            int c = a.Term.AsSpan().SequenceCompareTo(b.Term);
            return c != 0 ? c : a.Segment.CompareTo(b.Segment);
        }));
        for (int i = 0; i < segments.Count; i++)
        {
            IndexFieldReader? reader = segments[i].Field(field);
            TermDictionaryReader? dictionary = tokens ? reader?.Tokens : reader?.Exact;
            if (dictionary is null)
            {
                continue;
            }

            TermDictionaryReader.TermCursor cursor = dictionary.OpenCursor(0);
            if (cursor.MoveNext())
            {
                cursors[i] = cursor;
                queue.Enqueue(i, (cursor.Term.ToArray(), i));
            }
        }

        var merged = new DocNumberBuffer(1024);
        while (queue.TryDequeue(out int first, out (byte[] Term, int Segment) key))
        {
            merged.Clear();
            cursors[first]!.ReadPostingsInto(merged, bases[first]);
            Advance(cursors, queue, first);
            while (queue.TryPeek(out int other, out (byte[] Term, int Segment) otherKey) && otherKey.Term.AsSpan().SequenceEqual(key.Term))
            {
                queue.Dequeue();
                cursors[other]!.ReadPostingsInto(merged, bases[other]);
                Advance(cursors, queue, other);
            }

            output.Add(key.Term, merged.Span);
        }
    }

    private static void Advance(TermDictionaryReader.TermCursor?[] cursors, PriorityQueue<int, (byte[] Term, int Segment)> queue, int segment)
    {
        if (cursors[segment]!.MoveNext())
        {
            queue.Enqueue(segment, (cursors[segment]!.Term.ToArray(), segment));
        }
    }

    private static ByteBuffer MergeStored(IReadOnlyList<IndexSegment> segments, string field)
    {
        using var column = new IndexSegmentWriter.StoredColumnBuilder();
        foreach (IndexSegment s in segments)
        {
            IndexFieldReader? reader = s.Field(field);
            for (int d = 0; d < s.DocCount; d++)
            {
                TagValue? value = reader?.StoredValue(d);
                if (value is not null)
                {
                    TagValueCodec.Write(column.Values, value);
                }

                column.EndDocument();
            }
        }

        return column.Finish();
    }
}
