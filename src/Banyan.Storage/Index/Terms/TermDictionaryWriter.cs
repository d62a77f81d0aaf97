using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Postings;
namespace Banyan.Storage.Index.Terms;

/// <summary>
/// Writes a sorted, prefix-compressed block term dictionary with a sparse index and the posting
/// lists it points to (layout in <c>docs/format/index-segment.md</c>). Terms must arrive in strictly
/// increasing byte order.
/// </summary>
internal sealed class TermDictionaryWriter : IDisposable
{
    /// <summary>Terms per block: small enough that a lookup decodes little, large enough that the sparse index stays small.</summary>
    public const int BlockSize = 32;

    private readonly ByteBuffer _blocks = new(1024);
    private readonly ByteBuffer _index = new(256);
    private readonly ByteBuffer _postings = new(1024);
    private readonly ByteBuffer _block = new(512);
    private byte[] _previous = new byte[64];
    private int _previousLength;
    private int _inBlock;
    private int _termCount;
    private int _blockCount;
    private long _previousPostingOffset;

    public int TermCount => _termCount;

    public void Add(ReadOnlySpan<byte> term, PostingList postings) => Add(term, postings, default);

    /// <summary>Adds a term whose postings are ascending, distinct document numbers.</summary>
    public void Add(ReadOnlySpan<byte> term, ReadOnlySpan<uint> sortedDocs) => Add(term, null, sortedDocs);

    private void Add(ReadOnlySpan<byte> term, PostingList? postings, ReadOnlySpan<uint> sortedDocs)
    {
        if (_termCount > 0 && term.SequenceCompareTo(_previous.AsSpan(0, _previousLength)) <= 0)
        {
            throw new InvalidOperationException("bug: dictionary terms must be added in strictly increasing order");
        }

        if (_inBlock == BlockSize)
        {
            FlushBlock();
        }

        int shared = 0;
        if (_inBlock == 0)
        {
            _index.WriteLengthPrefixed(term);
            _index.WriteVarUInt64((ulong)_blocks.Length);
            _previousPostingOffset = 0;
        }
        else
        {
            int max = Math.Min(term.Length, _previousLength);
            while (shared < max && term[shared] == _previous[shared])
            {
                shared++;
            }
        }

        long postingOffset = _postings.Length;
        if (postings is not null)
        {
            PostingListCodec.Write(_postings, postings);
        }
        else
        {
            PostingListCodec.WriteSorted(_postings, sortedDocs);
        }

        long postingLength = _postings.Length - postingOffset;

        _block.WriteVarUInt64((ulong)shared);
        _block.WriteLengthPrefixed(term[shared..]);
        _block.WriteVarUInt64((ulong)(postingOffset - _previousPostingOffset));
        _block.WriteVarUInt64((ulong)postingLength);
        _previousPostingOffset = postingOffset;
        if (term.Length > _previous.Length)
        {
            _previous = new byte[Math.Max(term.Length, _previous.Length * 2)];
        }

        term.CopyTo(_previous);
        _previousLength = term.Length;
        _inBlock++;
        _termCount++;
    }

    private void FlushBlock()
    {
        if (_inBlock == 0)
        {
            return;
        }

        _blocks.WriteVarUInt64((ulong)_inBlock);
        _blocks.Write(_block.WrittenSpan);
        _block.Clear();
        _inBlock = 0;
        _blockCount++;
    }

    /// <summary>Appends the finished dictionary to <paramref name="sink"/>.</summary>
    public void WriteTo(ByteBuffer sink)
    {
        FlushBlock();
        sink.WriteVarUInt64((ulong)_termCount);
        sink.WriteVarUInt64((ulong)_blockCount);
        sink.WriteVarUInt64((ulong)_blocks.Length);
        sink.WriteVarUInt64((ulong)_index.Length);
        sink.WriteVarUInt64((ulong)_postings.Length);
        sink.Write(_blocks.WrittenSpan);
        sink.Write(_index.WrittenSpan);
        sink.Write(_postings.WrittenSpan);
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _blocks.Dispose();
        _index.Dispose();
        _postings.Dispose();
        _block.Dispose();
    }
}
