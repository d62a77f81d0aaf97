using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Postings;
namespace Banyan.Storage.Index.Terms;

/// <summary>
/// Reads a term dictionary written by <see cref="TermDictionaryWriter"/> from a segment image. The
/// sparse index (first term of each block) is decoded once at open; a lookup binary-searches it and
/// decodes one block.
/// </summary>
internal sealed class TermDictionaryReader
{
    private readonly byte[] _image;
    private readonly string _file;
    private readonly uint _docCount;
    private readonly int _blocksStart;
    private readonly int _blocksLength;
    private readonly int _postingsStart;
    private readonly int _postingsLength;
    private readonly byte[][] _firstTerms;
    private readonly int[] _blockOffsets;

    /// <summary>Parses the dictionary header and sparse index; <paramref name="source"/> ends after the dictionary.</summary>
    public TermDictionaryReader(byte[] image, string file, uint docCount, ref SpanReader source, int sourceBase)
    {
        _image = image;
        _file = file;
        _docCount = docCount;
        TermCount = source.ReadLength(int.MaxValue, "term count");
        int blockCount = source.ReadLength(Math.Max(0, TermCount), "block count");
        _blocksLength = source.ReadLength(source.Remaining, "blocks length");
        int indexLength = source.ReadLength(source.Remaining, "sparse index length");
        _postingsLength = source.ReadLength(source.Remaining, "postings length");
        if ((long)_blocksLength + indexLength + _postingsLength > source.Remaining)
        {
            throw source.Corrupt("dictionary regions run past the end of the field section");
        }

        if ((blockCount == 0) != (TermCount == 0) || (long)blockCount * TermDictionaryWriter.BlockSize < TermCount)
        {
            throw source.Corrupt($"{blockCount} blocks cannot hold {TermCount} terms");
        }

        _blocksStart = sourceBase + source.Position;
        source.Position += _blocksLength;
        var index = new SpanReader(source.ReadSpan(indexLength), file, sourceBase + source.Position - indexLength);
        _postingsStart = sourceBase + source.Position;
        source.Position += _postingsLength;

        _firstTerms = new byte[blockCount][];
        _blockOffsets = new int[blockCount];
        for (int b = 0; b < blockCount; b++)
        {
            _firstTerms[b] = index.ReadLengthPrefixed("block first term").ToArray();
            _blockOffsets[b] = index.ReadLength(_blocksLength - 1, "block offset");
            if (b > 0 && (_blockOffsets[b] <= _blockOffsets[b - 1] || _firstTerms[b].AsSpan().SequenceCompareTo(_firstTerms[b - 1]) <= 0))
            {
                throw index.Corrupt("sparse index entries are not strictly increasing");
            }
        }

        if (blockCount > 0 && _blockOffsets[0] != 0)
        {
            throw index.Corrupt("first block does not start at offset 0");
        }

        if (!index.AtEnd)
        {
            throw index.Corrupt("bytes left after the sparse index");
        }
    }

    public int TermCount { get; }

    public int BlockCount => _firstTerms.Length;

    /// <summary>The block that would hold <paramref name="term"/>: the last whose first term is ≤ it; -1 when the term sorts before all.</summary>
    public int FindBlock(ReadOnlySpan<byte> term)
    {
        int lo = 0, hi = _firstTerms.Length - 1, result = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_firstTerms[mid].AsSpan().SequenceCompareTo(term) <= 0)
            {
                result = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return result;
    }

    /// <summary>A cursor over all terms from the start of <paramref name="block"/> to the end of the dictionary.</summary>
    public TermCursor OpenCursor(int block) => new(this, Math.Max(0, block));

    /// <summary>The posting list of <paramref name="term"/>, or null when the dictionary lacks it.</summary>
    public PostingList? Lookup(ReadOnlySpan<byte> term)
    {
        int block = FindBlock(term);
        if (block < 0)
        {
            return null;
        }

        TermCursor cursor = OpenCursor(block);
        int blockEnd = block + 1;
        while (cursor.MoveNext() && cursor.Block < blockEnd)
        {
            int c = cursor.Term.SequenceCompareTo(term);
            if (c == 0)
            {
                return cursor.ReadPostings();
            }

            if (c > 0)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>Decodes a posting list located by a cursor.</summary>
    internal PostingList ReadPostings(int offset, int length)
    {
        var source = new SpanReader(_image.AsSpan(_postingsStart + offset, length), _file, _postingsStart + offset);
        PostingList list = PostingListCodec.Read(ref source, _docCount);
        if (!source.AtEnd)
        {
            throw source.Corrupt("bytes left after a posting list");
        }

        return list;
    }

    /// <summary>Iterates terms in order, decoding blocks one after another.</summary>
    internal sealed class TermCursor
    {
        private readonly TermDictionaryReader _dictionary;
        private byte[] _term = new byte[64];
        private int _termLength;
        private int _position; // absolute position in the image of the next entry
        private int _remainingInBlock;
        private int _postingOffset;
        private bool _started;

        public TermCursor(TermDictionaryReader dictionary, int block)
        {
            _dictionary = dictionary;
            Block = block - 1;
            if (block < dictionary.BlockCount)
            {
                _position = dictionary._blocksStart + dictionary._blockOffsets[block];
            }
        }

        public int Block { get; private set; }

        public ReadOnlySpan<byte> Term => _term.AsSpan(0, _termLength);

        public int PostingOffset => _postingOffset;

        public int PostingLength { get; private set; }

        public bool MoveNext()
        {
            TermDictionaryReader d = _dictionary;
            int blocksEnd = d._blocksStart + d._blocksLength;
            var source = new SpanReader(d._image.AsSpan(0, blocksEnd), d._file, 0) { Position = _position };
            if (_remainingInBlock == 0)
            {
                if (Block + 1 >= d.BlockCount)
                {
                    return false;
                }

                Block++;
                if (source.Position != d._blocksStart + d._blockOffsets[Block])
                {
                    throw source.Corrupt($"block {Block} does not start where the sparse index says");
                }

                _remainingInBlock = source.ReadLength(TermDictionaryWriter.BlockSize, "block entry count");
                if (_remainingInBlock == 0)
                {
                    throw source.Corrupt("empty dictionary block");
                }

                _postingOffset = 0;
                _termLength = 0;
                _started = false;
            }

            long entryAt = source.AbsoluteOffset;
            int shared = source.ReadLength(_termLength, "shared prefix length");
            ReadOnlySpan<byte> suffix = source.ReadLengthPrefixed("term suffix");
            bool firstOfBlock = !_started;
            if (firstOfBlock)
            {
                if (shared != 0 || !suffix.SequenceEqual(d._firstTerms[Block]))
                {
                    throw source.CorruptAt(entryAt, $"first term of block {Block} differs from the sparse index");
                }
            }
            else if (suffix.Length == 0 || (shared < _termLength && suffix[0] <= _term[shared]))
            {
                throw source.CorruptAt(entryAt, "dictionary terms are not strictly increasing");
            }

            int newLength = shared + suffix.Length;
            if (newLength > _term.Length)
            {
                Array.Resize(ref _term, Math.Max(newLength, _term.Length * 2));
            }

            suffix.CopyTo(_term.AsSpan(shared));
            _termLength = newLength;

            ulong delta = source.ReadVarUInt64();
            ulong length = source.ReadVarUInt64();
            ulong offset = (ulong)_postingOffset + delta;
            if (offset + length > (ulong)d._postingsLength || length == 0)
            {
                throw source.CorruptAt(entryAt, $"posting reference {offset}+{length} is outside the {d._postingsLength}-byte postings region");
            }

            _postingOffset = (int)offset;
            PostingLength = (int)length;
            _remainingInBlock--;
            _started = true;
            _position = source.Position;
            return true;
        }

        public PostingList ReadPostings() => _dictionary.ReadPostings(_postingOffset, PostingLength);

        /// <summary>Appends the current postings, shifted by <paramref name="shift"/>, to <paramref name="output"/>.</summary>
        public void ReadPostingsInto(DocNumberBuffer output, uint shift)
        {
            TermDictionaryReader d = _dictionary;
            int start = d._postingsStart + _postingOffset;
            var source = new SpanReader(d._image.AsSpan(start, PostingLength), d._file, start);
            PostingListCodec.ReadInto(ref source, d._docCount, output, shift);
            if (!source.AtEnd)
            {
                throw source.Corrupt("bytes left after a posting list");
            }
        }

        /// <summary>Decodes the current posting list and sets its bits in <paramref name="bits"/>.</summary>
        public void OrPostingsInto(DocBitset bits)
        {
            TermDictionaryReader d = _dictionary;
            int start = d._postingsStart + _postingOffset;
            var source = new SpanReader(d._image.AsSpan(start, PostingLength), d._file, start);
            PostingListCodec.OrInto(ref source, d._docCount, bits);
        }
    }
}
