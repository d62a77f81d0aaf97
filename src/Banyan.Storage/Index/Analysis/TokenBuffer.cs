using System.Text;

namespace Banyan.Storage.Index.Analysis;

/// <summary>Tokens of one analysed value, kept as ranges of one reusable char buffer so indexing allocates only for new terms.</summary>
public sealed class TokenBuffer
{
    private char[] _chars = new char[256];
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private int _length;
    private int _tokenStart = -1;

    /// <summary>Number of tokens.</summary>
    public int Count { get; private set; }

    /// <summary>The token at <paramref name="index"/>.</summary>
    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);

    /// <summary>Forgets all tokens.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
        _tokenStart = -1;
    }

    internal bool InToken => _tokenStart >= 0;

    internal int CurrentLength => _tokenStart < 0 ? 0 : _length - _tokenStart;

    internal ReadOnlySpan<char> Current => _tokenStart < 0 ? default : _chars.AsSpan(_tokenStart, _length - _tokenStart);

    internal void Append(Rune rune)
    {
        if (_tokenStart < 0)
        {
            _tokenStart = _length;
        }

        if (_length + 2 > _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _length += rune.EncodeToUtf16(_chars.AsSpan(_length));
    }

    internal void Append(ReadOnlySpan<char> text)
    {
        if (_tokenStart < 0)
        {
            _tokenStart = _length;
        }

        if (_length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Ends the current token; <paramref name="keep"/> false drops it (a stop word).</summary>
    internal void EndToken(bool keep = true)
    {
        if (_tokenStart < 0)
        {
            return;
        }

        if (keep && _length > _tokenStart)
        {
            if (Count == _starts.Length)
            {
                Array.Resize(ref _starts, Count * 2);
                Array.Resize(ref _lengths, Count * 2);
            }

            _starts[Count] = _tokenStart;
            _lengths[Count] = _length - _tokenStart;
            Count++;
        }
        else
        {
            _length = _tokenStart;
        }

        _tokenStart = -1;
    }
}
