using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Segments;

/// <summary>The index of one tag in one segment: exact-value dictionary, optional token dictionary, optional stored column.</summary>
internal sealed class IndexFieldReader
{
    private readonly byte[] _image;
    private readonly string _file;
    private readonly int _storedOffsetsStart;
    private readonly int _storedValuesStart;
    private readonly int _docCount;

    public IndexFieldReader(IndexedTag spec, TermDictionaryReader exact, TermDictionaryReader? tokens, byte[] image, string file, int docCount, int storedOffsetsStart, int storedValuesStart, bool multiValued)
    {
        MultiValued = multiValued;
        Spec = spec;
        Exact = exact;
        Tokens = tokens;
        _image = image;
        _file = file;
        _docCount = docCount;
        _storedOffsetsStart = storedOffsetsStart;
        _storedValuesStart = storedValuesStart;
    }

    /// <summary>The tag as it was indexed in this segment (analyzer, stored).</summary>
    public IndexedTag Spec { get; }

    public TermDictionaryReader Exact { get; }

    /// <summary>True when some document has more than one atom in this field.</summary>
    public bool MultiValued { get; }

    public TermDictionaryReader? Tokens { get; }

    public bool HasStoredColumn => _storedOffsetsStart >= 0;

    /// <summary>Union of the postings of every exact term in [lower, upper] (bounds are encoded terms).</summary>
    public PostingList Range(ReadOnlySpan<byte> lower, bool lowerInclusive, ReadOnlySpan<byte> upper, bool upperInclusive)
    {
        var bits = new DocBitset(_docCount);
        TermDictionaryReader.TermCursor cursor = Exact.OpenCursor(Exact.FindBlock(lower));
        while (cursor.MoveNext())
        {
            ReadOnlySpan<byte> term = cursor.Term;
            int lowCompare = term.SequenceCompareTo(lower);
            if (lowCompare < 0 || (lowCompare == 0 && !lowerInclusive))
            {
                continue;
            }

            int highCompare = term.SequenceCompareTo(upper);
            if (highCompare > 0 || (highCompare == 0 && !upperInclusive))
            {
                break;
            }

            cursor.OrPostingsInto(bits);
        }

        return bits.ToPostingList();
    }

    /// <summary>The stored value of document <paramref name="doc"/>, or null when not stored or absent.</summary>
    public TagValue? StoredValue(int doc)
    {
        if (_storedOffsetsStart < 0)
        {
            return null;
        }

        var offsets = new SpanReader(_image.AsSpan(_storedOffsetsStart + (doc * 4), 8), _file, _storedOffsetsStart + (doc * 4));
        uint start = offsets.ReadUInt32();
        uint end = offsets.ReadUInt32();
        if (start == end)
        {
            return null;
        }

        var source = new SpanReader(_image.AsSpan(_storedValuesStart + (int)start, (int)(end - start)), _file, _storedValuesStart + start);
        return TagValueCodec.Read(ref source);
    }
}
