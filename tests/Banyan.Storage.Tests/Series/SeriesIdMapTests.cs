using Banyan.Storage.Series;

namespace Banyan.Storage.Tests.Series;

/// <summary>
/// <see cref="SeriesIdMap"/> holds what a dictionary holds under any sequence of adds, sets and bits set (id 0, colliding low
/// bits and growth included), and readers on other threads never see an id it does not hold, a value never written, or
/// lose an id they saw before.
/// </summary>
public sealed class SeriesIdMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Adds_sets_and_bits_set_leave_what_a_dictionary_holds(int seed)
    {
        Random random = new(seed);
        SeriesIdMap map = new();
        Dictionary<ulong, byte> model = [];
        for (int i = 0; i < 20_000; i++)
        {
            // Ids that share their low bits (one probe run), random ones, and 0.
            ulong id = random.Next(4) switch
            {
                0 => (ulong)random.Next(64) << 40,
                1 => 0,
                _ => (ulong)random.NextInt64(),
            };
            byte value = (byte)random.Next(1, 4);
            switch (random.Next(4))
            {
                case 0:
                    Assert.Equal(model.TryAdd(id, value), map.TryAdd(id, value));
                    break;
                case 1:
                    model[id] = value;
                    map.Set(id, value);
                    break;
                default:
                    // Bits set in the value, the others kept; an absent id added only when asked.
                    bool addIfAbsent = random.Next(2) == 0;
                    byte bits = (byte)(1 << random.Next(3));
                    bool held = model.TryGetValue(id, out byte before);
                    if (held || addIfAbsent)
                    {
                        model[id] = (byte)(before | bits);
                    }

                    Assert.Equal(held || addIfAbsent, map.SetBits(id, bits, addIfAbsent));
                    break;
            }

            ulong probe = random.Next(3) == 0 ? id : (ulong)random.NextInt64();
            Assert.Equal(model.TryGetValue(probe, out byte expected), map.TryGetValue(probe, out byte actual));
            Assert.Equal(expected, actual);
        }

        Assert.Equal(model.Count, map.Count);
        foreach ((ulong id, byte value) in model)
        {
            Assert.True(map.TryGetValue(id, out byte actual));
            Assert.Equal(value, actual);
        }
    }

    [Fact]
    public async Task Readers_during_adds_see_only_held_ids_with_their_values_and_never_lose_one()
    {
        // One writer adds ids 1..N in order (value = low byte of the id, never 0) while readers probe: an id a reader finds
        // has its value, and once a reader has seen id k it sees every id up to k from then on (adds are published in order).
        const int Ids = 200_000;
        SeriesIdMap map = new();
        using CancellationTokenSource done = new();
        int failures = 0;
        Task[] readers = [.. Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            Random random = new(r);
            ulong seen = 0;
            while (!done.IsCancellationRequested)
            {
                ulong index = (ulong)random.Next(1, Ids + 1);
                if (map.TryGetValue(Hashed(index), out byte value))
                {
                    if (value != Value(index))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    seen = Math.Max(seen, index);
                }
                else if (index <= seen)
                {
                    Interlocked.Increment(ref failures); // seen before (or a later id was), missing now
                }

            }
        }))];

        for (ulong i = 1; i <= Ids; i++)
        {
            Assert.True(map.TryAdd(Hashed(i), Value(i)));
        }

        done.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, failures);
        Assert.Equal(Ids, map.Count);

        static ulong Hashed(ulong i) => i * 0x9E3779B97F4A7C15UL; // distinct, spread like series ids
        static byte Value(ulong i) => (byte)((i % 255) + 1);
    }
}
