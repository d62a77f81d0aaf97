namespace Banyan.Storage.Index.Postings;

/// <summary>
/// A set of 32-bit document numbers of one index segment, compressed as roaring-style containers
/// (<see cref="PostingContainer"/>): fast AND / OR / AND-NOT and skip-ahead iteration whether the
/// list is very sparse (a unique tag) or very dense (a tag with ten values over a million documents).
/// </summary>
/// <remarks>
/// Built by ascending <see cref="Add"/> calls (documents are numbered in insertion order) and then
/// treated as immutable: the set operations return new lists and never change their inputs.
/// </remarks>
public sealed class PostingList
{
    private ushort[] _keys;
    private PostingContainer[] _containers;
    private int _size;
    private bool _frozen;

    /// <summary>Creates an empty list.</summary>
    public PostingList()
    {
        _keys = [];
        _containers = [];
    }

    private PostingList(ushort[] keys, PostingContainer[] containers, int size)
    {
        _keys = keys;
        _containers = containers;
        _size = size;
        _frozen = true;
    }

    /// <summary>Number of document numbers held.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _size; i++)
            {
                total += _containers[i].Count;
            }

            return total;
        }
    }

    /// <summary>True when the list holds no document.</summary>
    public bool IsEmpty => _size == 0;

    internal int ContainerCount => _size;

    internal ushort KeyAt(int index) => _keys[index];

    internal PostingContainer ContainerAt(int index) => _containers[index];

    /// <summary>All document numbers in [0, <paramref name="count"/>): the universe of a segment with that many documents.</summary>
    public static PostingList Universe(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var list = new PostingList();
        int full = count >> 16;
        for (int k = 0; k < full; k++)
        {
            list.AppendContainer((ushort)k, PostingContainer.Full());
        }

        for (uint v = (uint)full << 16; v < (uint)count; v++)
        {
            list.Add(v);
        }

        return list;
    }

    /// <summary>Builds a list from values in any order (duplicates ignored).</summary>
    public static PostingList FromValues(IEnumerable<uint> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        uint[] sorted = [.. values];
        Array.Sort(sorted);
        var list = new PostingList();
        foreach (uint v in sorted)
        {
            list.Add(v);
        }

        return list;
    }

    /// <summary>Adds <paramref name="value"/>, which must not be smaller than any value already added (equal is ignored).</summary>
    /// <exception cref="ArgumentException">The value is smaller than the largest value held.</exception>
    /// <exception cref="InvalidOperationException">The list is the result of a set operation or was decoded (it may share containers).</exception>
    public void Add(uint value)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("this posting list is read-only: it may share containers with other lists");
        }

        ushort high = (ushort)(value >> 16);
        ushort low = (ushort)value;
        if (_size > 0)
        {
            ushort lastKey = _keys[_size - 1];
            if (lastKey == high)
            {
                PostingContainer last = _containers[_size - 1];
                if (!last.IsBitmap && last.Count > 0 && last.Array![last.Count - 1] > low)
                {
                    throw new ArgumentException($"posting values must be added in ascending order; got {value} after a larger one", nameof(value));
                }

                last.AppendAscending(low);
                return;
            }

            if (lastKey > high)
            {
                throw new ArgumentException($"posting values must be added in ascending order; got {value} after a larger one", nameof(value));
            }
        }

        var container = PostingContainer.NewArray(new ushort[4], 0);
        container.AppendAscending(low);
        AppendContainer(high, container);
    }

    internal void AppendContainer(ushort key, PostingContainer container)
    {
        if (_size == _keys.Length)
        {
            int capacity = Math.Max(4, _size * 2);
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _containers, capacity);
        }

        _keys[_size] = key;
        _containers[_size] = container;
        _size++;
    }

    /// <summary>True when <paramref name="value"/> is in the list.</summary>
    public bool Contains(uint value)
    {
        int index = Array.BinarySearch(_keys, 0, _size, (ushort)(value >> 16));
        return index >= 0 && _containers[index].Contains((ushort)value);
    }

    /// <summary>The intersection of this list and <paramref name="other"/>.</summary>
    public PostingList And(PostingList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new PostingList();
        int i = 0, j = 0;
        while (i < _size && j < other._size)
        {
            ushort a = _keys[i], b = other._keys[j];
            if (a < b)
            {
                i++;
            }
            else if (a > b)
            {
                j++;
            }
            else
            {
                PostingContainer? c = PostingContainer.And(_containers[i], other._containers[j]);
                if (c is not null)
                {
                    result.AppendContainer(a, c);
                }

                i++;
                j++;
            }
        }

        result._frozen = true;
        return result;
    }

    /// <summary>The union of this list and <paramref name="other"/>.</summary>
    public PostingList Or(PostingList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new PostingList();
        int i = 0, j = 0;
        while (i < _size || j < other._size)
        {
            if (j >= other._size || (i < _size && _keys[i] < other._keys[j]))
            {
                result.AppendContainer(_keys[i], _containers[i]);
                i++;
            }
            else if (i >= _size || _keys[i] > other._keys[j])
            {
                result.AppendContainer(other._keys[j], other._containers[j]);
                j++;
            }
            else
            {
                result.AppendContainer(_keys[i], PostingContainer.Or(_containers[i], other._containers[j]));
                i++;
                j++;
            }
        }

        result._frozen = true;
        return result;
    }

    /// <summary>The values of this list that are not in <paramref name="other"/>.</summary>
    public PostingList AndNot(PostingList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new PostingList();
        int j = 0;
        for (int i = 0; i < _size; i++)
        {
            ushort key = _keys[i];
            while (j < other._size && other._keys[j] < key)
            {
                j++;
            }

            if (j < other._size && other._keys[j] == key)
            {
                PostingContainer? c = PostingContainer.AndNot(_containers[i], other._containers[j]);
                if (c is not null)
                {
                    result.AppendContainer(key, c);
                }
            }
            else
            {
                result.AppendContainer(key, _containers[i]);
            }
        }

        result._frozen = true;
        return result;
    }

    /// <summary>An iterator positioned before the first value.</summary>
    public PostingListIterator GetIterator() => new(this);

    /// <summary>All values, ascending (allocates; for tests and small results).</summary>
    public uint[] ToArray()
    {
        uint[] result = new uint[Count];
        int n = 0;
        PostingListIterator it = GetIterator();
        while (it.MoveNext())
        {
            result[n++] = it.Current;
        }

        return result;
    }

    internal static PostingList FromContainers(ushort[] keys, PostingContainer[] containers, int size) => new(keys, containers, size);
}
