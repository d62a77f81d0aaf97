using System.Collections.Concurrent;
using Banyan.Storage.Index.Store;

namespace Banyan.Storage.Series;

/// <summary>
/// The answers of <see cref="SeriesIndex.FindByPrefix"/> for one index view. Queries name the same entity prefix again
/// and again (a chart's buckets, a dashboard's refresh), and each answer decoded every matching series key from the
/// index. An answer depends only on the view, which the index store replaces whenever a series is registered or
/// segments are flushed or merged: the cache belongs to one view and a lookup against another view starts a new one.
/// At most <see cref="MaxEntries"/> prefixes per view (then it starts over), so a scan over many prefixes cannot grow it.
/// </summary>
internal sealed class PrefixLookupCache(IndexView view)
{
    /// <summary>Most prefixes kept for one view.</summary>
    public const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<string, IReadOnlyList<SeriesMatch>> _answers = new(StringComparer.Ordinal);

    /// <summary>The view the answers were read from.</summary>
    public IndexView View { get; } = view;

    /// <summary>The answer for <paramref name="prefix"/>, computed by <paramref name="find"/> when it is not cached yet.</summary>
    public IReadOnlyList<SeriesMatch> GetOrFind(byte[] prefix, Func<List<SeriesMatch>> find)
    {
        // Latin-1 maps every byte to one char, so equal keys are equal prefixes.
        string key = System.Text.Encoding.Latin1.GetString(prefix);
        if (_answers.TryGetValue(key, out IReadOnlyList<SeriesMatch>? answer))
        {
            return answer;
        }

        if (_answers.Count >= MaxEntries)
        {
            _answers.Clear();
        }

        answer = new SeriesMatchesById(find());
        _answers.TryAdd(key, answer);
        return answer;
    }
}
