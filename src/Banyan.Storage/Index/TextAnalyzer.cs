using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Banyan.Storage.Index;

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

    /// <summary>Appends the tokens of <paramref name="text"/> under <paramref name="analyzer"/> to <paramref name="tokens"/>.</summary>
    public static void Tokenize(AnalyzerKind analyzer, string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        switch (analyzer)
        {
            case AnalyzerKind.None:
            case AnalyzerKind.Keyword:
                if (text.Length > 0)
                {
                    tokens.Add(text);
                }

                break;
            case AnalyzerKind.Simple:
                Runs(text, tokens, static r => Rune.IsLetter(r), lowerCase: true);
                break;
            case AnalyzerKind.Url:
                Runs(text, tokens, static r => Rune.IsLetter(r) || Rune.IsNumber(r), lowerCase: false);
                break;
            case AnalyzerKind.Standard:
                StandardWords(text, tokens);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(analyzer), analyzer, "unknown analyzer");
        }
    }

    /// <summary>The tokens of <paramref name="text"/> as a new list.</summary>
    public static List<string> Tokenize(AnalyzerKind analyzer, string text)
    {
        var tokens = new List<string>();
        Tokenize(analyzer, text, tokens);
        return tokens;
    }

    private static void Runs(string text, List<string> tokens, Func<Rune, bool> isTokenRune, bool lowerCase)
    {
        var current = new StringBuilder();
        foreach (Rune r in text.EnumerateRunes())
        {
            if (isTokenRune(r))
            {
                current.Append((lowerCase ? Rune.ToLowerInvariant(r) : r).ToString());
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
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
    private static void StandardWords(string text, List<string> tokens)
    {
        Rune[] runes = [.. text.EnumerateRunes()];
        var current = new StringBuilder();
        for (int i = 0; i < runes.Length; i++)
        {
            Rune r = runes[i];
            bool keep = IsWordRune(r);
            if (!keep && current.Length > 0 && i + 1 < runes.Length)
            {
                Rune prev = runes[i - 1], next = runes[i + 1];
                int v = r.Value;
                bool betweenLetters = Rune.IsLetter(prev) && Rune.IsLetter(next) && (v == '.' || v == '\'' || v == '\u2019' || v == ':');
                bool betweenDigits = Rune.IsDigit(prev) && Rune.IsDigit(next) && (v == '.' || v == ',' || v == ';');
                keep = betweenLetters || betweenDigits;
            }

            if (keep)
            {
                current.Append(Rune.ToLowerInvariant(r).ToString());
            }
            else
            {
                Flush(current, tokens);
            }
        }

        Flush(current, tokens);
    }

    private static void Flush(StringBuilder current, List<string> tokens)
    {
        if (current.Length == 0)
        {
            return;
        }

        string word = current.ToString();
        current.Clear();
        if (!s_stopWords.Contains(word))
        {
            tokens.Add(word);
        }
    }
}
