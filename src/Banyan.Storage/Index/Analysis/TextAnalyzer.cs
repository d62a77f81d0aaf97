using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Banyan.Storage.Index.Analysis;

/// <summary>
/// Splits text into the tokens that MATCH compares, modelled on the bluge analyzers BanyanDB uses.
/// The same function analyses stored values when indexing and query text when searching, so the
/// index and the residual filter always agree.
/// </summary>
public static class TextAnalyzer
{
    // Lucene's classic English stop set. bluge's English list is longer; queries made only of
    // words outside this set behave the same in both.
    private static readonly FrozenSet<string> s_stopWords = new[]
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
        "they", "this", "to", "was", "will", "with",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_stopWordLookup = s_stopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Appends the tokens of <paramref name="text"/> under <paramref name="analyzer"/> to <paramref name="tokens"/>.</summary>
    public static void Tokenize(AnalyzerKind analyzer, string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var buffer = new TokenBuffer();
        Tokenize(analyzer, text, buffer);
        for (int i = 0; i < buffer.Count; i++)
        {
            tokens.Add(buffer[i].ToString());
        }
    }

    /// <summary>The tokens of <paramref name="text"/> as a new list.</summary>
    public static List<string> Tokenize(AnalyzerKind analyzer, string text)
    {
        var tokens = new List<string>();
        Tokenize(analyzer, text, tokens);
        return tokens;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/> without allocating per token.</summary>
    public static void Tokenize(AnalyzerKind analyzer, string text, TokenBuffer tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        switch (analyzer)
        {
            case AnalyzerKind.None:
            case AnalyzerKind.Keyword:
                if (text.Length > 0)
                {
                    tokens.Append(text);
                    tokens.EndToken();
                }

                break;
            case AnalyzerKind.Simple:
                Runs(text, tokens, url: false);
                break;
            case AnalyzerKind.Url:
                Runs(text, tokens, url: true);
                break;
            case AnalyzerKind.Standard:
                StandardWords(text, tokens);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(analyzer), analyzer, "unknown analyzer");
        }
    }

    private static void Runs(string text, TokenBuffer tokens, bool url)
    {
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out Rune r, out int used);
            i += used;
            // Simple: letters, lower-cased. URL (BanyanDB's): letters and numbers, case kept.
            bool keep = url ? Rune.IsLetter(r) || Rune.IsNumber(r) : Rune.IsLetter(r);
            if (keep)
            {
                tokens.Append(url ? r : Rune.ToLowerInvariant(r));
            }
            else
            {
                tokens.EndToken();
            }
        }

        tokens.EndToken();
    }

    private static bool IsWordRune(Rune r)
    {
        if (Rune.IsLetterOrDigit(r) || Rune.IsNumber(r) || r.Value == '_')
        {
            return true;
        }

        UnicodeCategory c = Rune.GetUnicodeCategory(r);
        return c is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    // A simplified UAX #29 word break: '.', '\'', '’' and ':' stay inside a word between two letters,
    // '.', ',' and ';' between two digits ("example.com", "don't", "3.14").
    private static void StandardWords(string text, TokenBuffer tokens)
    {
        Rune previous = default;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out Rune r, out int used);
            i += used;
            bool keep = IsWordRune(r);
            if (!keep && tokens.InToken && i < text.Length)
            {
                Rune.DecodeFromUtf16(text.AsSpan(i), out Rune next, out _);
                int v = r.Value;
                bool betweenLetters = Rune.IsLetter(previous) && Rune.IsLetter(next) && (v == '.' || v == '\'' || v == '\u2019' || v == ':');
                bool betweenDigits = Rune.IsDigit(previous) && Rune.IsDigit(next) && (v == '.' || v == ',' || v == ';');
                keep = betweenLetters || betweenDigits;
            }

            if (keep)
            {
                tokens.Append(Rune.ToLowerInvariant(r));
            }
            else
            {
                EndWord(tokens);
            }

            previous = r;
        }

        EndWord(tokens);
    }

    private static void EndWord(TokenBuffer tokens) => tokens.EndToken(keep: !s_stopWordLookup.Contains(tokens.Current));
}
