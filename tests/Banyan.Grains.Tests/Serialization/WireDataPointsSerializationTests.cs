using Banyan.GrainInterfaces.Serialization;
using Banyan.GrainInterfaces.Writes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Banyan.Grains.Tests.Serialization;

/// <summary>
/// <see cref="WireDataPoints"/> holds slices of the write stream's read chunks: serialized (a call to another silo),
/// each slice must travel as its own bytes, not its whole chunk, and come back equal.
/// </summary>
public sealed class WireDataPointsSerializationTests
{
    [Fact]
    public void Slices_of_one_chunk_cross_as_their_own_bytes_and_come_back_equal()
    {
        byte[] chunk = [.. Enumerable.Range(0, 4_096).Select(i => (byte)i)];
        WireDataPoints points = new([chunk.AsMemory(10, 3), ReadOnlyMemory<byte>.Empty, chunk.AsMemory(100, 50)], [7, 8, 9]);

        ServiceProvider services = new ServiceCollection().AddSerializer(b => b.AddBanyanSerializers()).BuildServiceProvider();
        Serializer serializer = services.GetRequiredService<Serializer>();
        byte[] bytes = serializer.SerializeToArray(points);
        WireDataPoints back = serializer.Deserialize<WireDataPoints>(bytes)!;

        Assert.True(bytes.Length < 200, $"{bytes.Length} bytes: the chunk itself was written");
        Assert.Equal(3, back.Count);
        Assert.Equal(new byte[] { 10, 11, 12 }, back.DataPoint(0).ToArray());
        Assert.True(back.DataPoint(1).IsEmpty);
        Assert.Equal(chunk[100..150], back.DataPoint(2).ToArray());
        Assert.Equal([7UL, 8, 9], Enumerable.Range(0, back.Count).Select(back.MessageId));
    }

    [Fact]
    public void Joined_batches_keep_their_arrays_as_runs_and_cross_whole()
    {
        byte[] chunk = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        WireDataPoints a = new([chunk.AsMemory(1, 2)], [11]);
        WireDataPoints b = new([], []);
        WireDataPoints c = new([chunk.AsMemory(5, 1), chunk.AsMemory(9, 3)], [12, 13]);
        WireDataPoints joined = WireDataPoints.Join([a, b, c]);

        Assert.Equal(3, joined.Count);
        Assert.Same(a.Runs[0], joined.Runs[0]); // the batches' arrays, not copies of them
        Assert.Same(c.Runs[0], joined.Runs[2]);
        Assert.Same(a, WireDataPoints.Join([a]));
        Assert.Equal([13UL, 12, 11], new[] { 2, 1, 0 }.Select(joined.MessageId));
        Assert.Equal(new byte[] { 9, 10, 11 }, joined.DataPoint(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => joined.DataPoint(3));
        ArgumentException unequal = Assert.Throws<ArgumentException>(() => new WireDataPoints([chunk.AsMemory(0, 1)], []));
        Assert.Contains("1 data points but 0 message ids", unequal.Message, StringComparison.Ordinal);

        ServiceProvider services = new ServiceCollection().AddSerializer(builder => builder.AddBanyanSerializers()).BuildServiceProvider();
        Serializer serializer = services.GetRequiredService<Serializer>();
        WireDataPoints back = serializer.Deserialize<WireDataPoints>(serializer.SerializeToArray(joined))!;
        Assert.Equal(3, back.Count);
        Assert.Equal([11UL, 12, 13], Enumerable.Range(0, 3).Select(back.MessageId));
        Assert.Equal(new byte[] { 1, 2 }, back.DataPoint(0).ToArray());
        Assert.Equal(new byte[] { 5 }, back.DataPoint(1).ToArray());
    }
}
