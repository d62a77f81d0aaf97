using Banyan.Grains.Writes;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// <see cref="WireSeriesTable"/> against a dictionary: hashes that share their low bits (one probe run), the hash 0,
/// growth past many doublings, replacement under one hash and clearing.
/// </summary>
public sealed class WireSeriesTableTests
{
    [Fact]
    public void Holds_what_a_dictionary_holds_through_growth_collisions_and_replacement()
    {
        Random random = new(5);
        WireSeriesTable table = new();
        Dictionary<ulong, WireSeries> expected = [];
        ulong[] hashes = [0, 1, .. Enumerable.Range(0, 20_000).Select(i => i % 4 == 0 ? (ulong)i << 40 : (ulong)random.NextInt64())];
        for (int i = 0; i < hashes.Length; i++)
        {
            WireSeries series = new(i, i % 300, (ulong)i * 7, (ulong)i * 11);
            table.Set(hashes[i], series);
            expected[hashes[i] == 0 ? 1 : hashes[i]] = series; // 0 and 1 share a slot: the later replaces the earlier
            if (i % 3 == 0)
            {
                WireSeries again = series with { SeriesId = series.SeriesId + 1 };
                table.Set(hashes[i], again);
                expected[hashes[i] == 0 ? 1 : hashes[i]] = again;
            }
        }

        Assert.Equal(expected.Count, table.Count);
        foreach ((ulong hash, WireSeries series) in expected)
        {
            Assert.True(table.TryGet(hash, out WireSeries found));
            Assert.Equal(series, found);
        }

        Assert.False(table.TryGet(12_345UL << 20 | 3, out _));
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet(hashes[5], out _));
    }
}
