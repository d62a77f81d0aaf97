using System.Text;
using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Segments;

/// <summary>
/// Accumulates the documents of one write batch and builds an immutable <see cref="IndexSegment"/>
/// image from them. Documents are numbered in the order they are added.
/// </summary>
public sealed class IndexSegmentBuilder : IDisposable
{
    private readonly FieldBuilder[] _fields;
    private readonly List<ulong> _seriesIds = [];
    private readonly List<long> _timestamps = [];
    private readonly ByteBuffer _term = new(64);
    private readonly TokenBuffer _tokens = new();

    /// <summary>Creates a builder for the tags of <paramref name="schema"/>.</summary>
    public IndexSegmentBuilder(IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        // Fields in name order, so a segment's bytes depend only on its content.
        var tags = schema.Tags.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        _fields = new FieldBuilder[tags.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            _fields[i] = new FieldBuilder(tags[i]);
        }
    }

    /// <summary>Number of documents added so far.</summary>
    public int Count => _seriesIds.Count;

    /// <summary>Adds <paramref name="document"/> and returns its document number.</summary>
    public int Add(IndexDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (_seriesIds.Count == int.MaxValue)
        {
            throw new InvalidOperationException("an index segment holds at most int.MaxValue documents");
        }

        uint doc = (uint)_seriesIds.Count;
        _seriesIds.Add(document.SeriesId);
        _timestamps.Add(document.Timestamp);
        foreach (FieldBuilder field in _fields)
        {
            document.Tags.TryGetValue(field.Spec.Name, out TagValue? value);
            field.Add(doc, value, _term, _tokens);
        }

        return (int)doc;
    }

    /// <summary>Builds the segment image and opens it as a segment named <paramref name="name"/>.</summary>
    public IndexSegment Build(string name)
    {
        var payloads = new List<FieldPayload>(_fields.Length);
        foreach (FieldBuilder field in _fields)
        {
            payloads.Add(field.Finish());
        }

        byte[] image;
        try
        {
            image = IndexSegmentWriter.Write(_seriesIds.Count, [.. _seriesIds], [.. _timestamps], payloads);
        }
        finally
        {
            FieldPayload.DisposeAll(payloads);
        }

        return IndexSegment.Parse(image, name, verifyChecksums: false);
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _term.Dispose();
        foreach (FieldBuilder field in _fields)
        {
            field.Dispose();
        }
    }

    private sealed class FieldBuilder : IDisposable
    {
        private readonly Dictionary<byte[], DocNumberBuffer> _exact = new(ByteArrayComparer.Instance);
        private readonly Dictionary<string, DocNumberBuffer> _tokens = new(StringComparer.Ordinal);
        private readonly IndexSegmentWriter.StoredColumnBuilder? _stored;

        public FieldBuilder(IndexedTag spec)
        {
            Spec = spec;
            _stored = spec.Stored ? new IndexSegmentWriter.StoredColumnBuilder() : null;
        }

        public IndexedTag Spec { get; }

        public bool MultiValued { get; private set; }

        public void Add(uint doc, TagValue? value, ByteBuffer term, TokenBuffer tokens)
        {
            if (value is not null && value.Kind != TagValueKind.Null)
            {
                Dictionary<byte[], DocNumberBuffer>.AlternateLookup<ReadOnlySpan<byte>> exact = _exact.GetAlternateLookup<ReadOnlySpan<byte>>();
                int atoms = value.AtomCount;
                MultiValued |= atoms > 1;
                for (int i = 0; i < atoms; i++)
                {
                    TagValue atom = value.AtomAt(i);
                    if (Spec.ExactTerms)
                    {
                        IndexTerm.Encode(atom, term);
                        if (!exact.TryGetValue(term.WrittenSpan, out DocNumberBuffer? docs))
                        {
                            docs = new DocNumberBuffer(1);
                            exact[term.WrittenSpan] = docs;
                        }

                        docs.AddAscending(doc);
                    }

                    if (Spec.HasTokenDictionary && atom.Kind == TagValueKind.Str)
                    {
                        AddTokens(doc, atom.Text!, tokens);
                    }
                }

                if (_stored is not null)
                {
                    TagValueCodec.Write(_stored.Values, value);
                }
            }

            _stored?.EndDocument();
        }

        private void AddTokens(uint doc, string text, TokenBuffer tokens)
        {
            tokens.Clear();
            TextAnalyzer.Tokenize(Spec.Analyzer, text, tokens);
            Dictionary<string, DocNumberBuffer>.AlternateLookup<ReadOnlySpan<char>> lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
            for (int t = 0; t < tokens.Count; t++)
            {
                ReadOnlySpan<char> token = tokens[t];
                if (!lookup.TryGetValue(token, out DocNumberBuffer? docs))
                {
                    docs = new DocNumberBuffer(1);
                    lookup[token] = docs;
                }

                docs.AddAscending(doc);
            }
        }

        public void Dispose() => _stored?.Dispose();

        public FieldPayload Finish()
        {
            var exact = new TermDictionaryWriter();
            byte[][] terms = [.. _exact.Keys];
            Array.Sort(terms, ByteArrayComparer.Instance);
            foreach (byte[] t in terms)
            {
                exact.Add(t, _exact[t].Span);
            }

            TermDictionaryWriter? tokenWriter = null;
            if (Spec.HasTokenDictionary)
            {
                tokenWriter = new TermDictionaryWriter();
                byte[][] tokenTerms = new byte[_tokens.Count][];
                DocNumberBuffer[] lists = new DocNumberBuffer[_tokens.Count];
                int i = 0;
                foreach (KeyValuePair<string, DocNumberBuffer> pair in _tokens)
                {
                    tokenTerms[i] = Encoding.UTF8.GetBytes(pair.Key);
                    lists[i] = pair.Value;
                    i++;
                }

                Array.Sort(tokenTerms, lists, ByteArrayComparer.Instance);
                for (int k = 0; k < tokenTerms.Length; k++)
                {
                    tokenWriter.Add(tokenTerms[k], lists[k].Span);
                }
            }

            return new FieldPayload(Spec, exact, tokenWriter, _stored?.Finish(), MultiValued);
        }
    }
}
