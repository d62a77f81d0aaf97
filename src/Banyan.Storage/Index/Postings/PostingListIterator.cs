namespace Banyan.Storage.Index.Postings;

/// <summary>
/// Walks a <see cref="PostingList"/> in ascending order, with <see cref="Advance"/> to skip ahead to a
/// target (the operation a leap-frog intersection or a merge with row data needs). A value type:
/// iterating allocates nothing.
/// </summary>
public struct PostingListIterator
{
    private readonly PostingList _list;
    private int _containerIndex;
    private int _position; // array index, or bit position in a bitmap; -1 before the first value
    private uint _current;

    internal PostingListIterator(PostingList list)
    {
        _list = list;
        _containerIndex = 0;
        _position = -1;
        _current = 0;
    }

    /// <summary>The value the iterator is on (valid after a successful move).</summary>
    public readonly uint Current => _current;

    /// <summary>Moves to the next value; false at the end.</summary>
    public bool MoveNext()
    {
        while (_containerIndex < _list.ContainerCount)
        {
            PostingContainer c = _list.ContainerAt(_containerIndex);
            int next;
            if (c.IsBitmap)
            {
                next = _position + 1 >= 65536 ? -1 : c.NextAtOrAfter((ushort)(_position + 1), 0);
            }
            else
            {
                next = _position + 1 < c.Count ? _position + 1 : -1;
            }

            if (next >= 0)
            {
                _position = next;
                ushort low = c.IsBitmap ? (ushort)next : c.Array![next];
                _current = ((uint)_list.KeyAt(_containerIndex) << 16) | low;
                return true;
            }

            _containerIndex++;
            _position = -1;
        }

        return false;
    }

    /// <summary>
    /// Moves to the first value ≥ <paramref name="target"/> at or after the current position (never
    /// backwards: when the current value is already ≥ the target, the iterator stays). False when none is left.
    /// </summary>
    public bool Advance(uint target)
    {
        if (_position >= 0 && _current >= target)
        {
            return true;
        }

        ushort high = (ushort)(target >> 16);
        // Skip containers whose key is below the target's (binary search over the remaining keys).
        int lo = _containerIndex, hi = _list.ContainerCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_list.KeyAt(mid) < high)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo != _containerIndex)
        {
            _containerIndex = lo;
            _position = -1;
        }

        while (_containerIndex < _list.ContainerCount)
        {
            PostingContainer c = _list.ContainerAt(_containerIndex);
            ushort key = _list.KeyAt(_containerIndex);
            ushort lowTarget = key == high ? (ushort)target : (ushort)0;
            int next;
            if (c.IsBitmap)
            {
                int from = Math.Max(lowTarget, _position + 1);
                next = from >= 65536 ? -1 : c.NextAtOrAfter((ushort)from, 0);
            }
            else
            {
                next = c.NextAtOrAfter(lowTarget, Math.Max(0, _position + 1));
            }

            if (next >= 0)
            {
                _position = next;
                ushort low = c.IsBitmap ? (ushort)next : c.Array![next];
                _current = ((uint)key << 16) | low;
                return true;
            }

            _containerIndex++;
            _position = -1;
        }

        return false;
    }
}
