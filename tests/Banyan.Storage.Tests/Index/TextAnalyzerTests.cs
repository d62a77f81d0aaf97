using Banyan.Storage.Index.Analysis;

namespace Banyan.Storage.Tests.Index;

public sealed class TextAnalyzerTests
{
    [Theory]
    // Cases from BanyanDB's pkg/index/analyzer/analyzer_test.go (URL analyzer: letters and digits, case kept).
    [InlineData("http://example.com", "http|example|com")]
    [InlineData("https://www.example.com/path?query=123", "https|www|example|com|path|query|123")]
    [InlineData("ftp://user:pass@ftp.example.com:21/path", "ftp|user|pass|ftp|example|com|21|path")]
    [InlineData("GET /Api/V1", "GET|Api|V1")]
    [InlineData("!@#", "")]
    public void UrlAnalyzerSplitsOnEverythingButLettersAndDigits(string input, string expected)
    {
        Assert.Equal(expected, string.Join('|', TextAnalyzer.Tokenize(AnalyzerKind.Url, input)));
    }

    [Theory]
    [InlineData("Hello, World! 42x", "hello|world|x")]
    [InlineData("ÉCOLE über", "école|über")]
    public void SimpleAnalyzerKeepsLetterRunsLowerCased(string input, string expected)
    {
        Assert.Equal(expected, string.Join('|', TextAnalyzer.Tokenize(AnalyzerKind.Simple, input)));
    }

    [Theory]
    [InlineData("The Quick brown_fox", "quick|brown_fox")]
    [InlineData("Error: timeout at db.example.com", "error|timeout|db.example.com")]
    [InlineData("pi is 3.14, don't panic", "pi|3.14|don't|panic")]
    [InlineData("the and of", "")]
    [InlineData("日本 語", "日本|語")]
    public void StandardAnalyzerSplitsWordsLowerCasesAndDropsStopWords(string input, string expected)
    {
        Assert.Equal(expected, string.Join('|', TextAnalyzer.Tokenize(AnalyzerKind.Standard, input)));
    }

    [Fact]
    public void KeywordKeepsTheWholeValue()
    {
        Assert.Equal(["Hello, World"], TextAnalyzer.Tokenize(AnalyzerKind.Keyword, "Hello, World"));
        Assert.Empty(TextAnalyzer.Tokenize(AnalyzerKind.Keyword, string.Empty));
    }
}
