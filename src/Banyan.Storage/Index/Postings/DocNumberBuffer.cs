namespace Banyan.Storage.Index.Postings;

/// <summary>A growable, reusable array of ascending document numbers (the builder's and merger's posting accumulator).</summary>
internal sealed class DocNumberBuffer
{
    private uint[] _values;

    public DocNumberBuffer(int capacity = 4) => _values = new uint[Math.Max(1, capacity)];

    public int Count { get; private set; }

    public ReadOnlySpan<uint> Span => _values.AsSpan(0, Count);

    public void Clear() => Count = 0;

    /// <summary>Appends <paramref name="doc"/> unless it equals the last value (a document repeating a term).</summary>
    public void AddAscending(uint doc)
    {
        if (Count > 0 && _values[Count - 1] == doc)
        {
            return;
        }

        if (Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[Count++] = doc;
    }
}
