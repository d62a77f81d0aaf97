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
        Assert.Equal([7UL, 8, 9], back.MessageIds);
    }
}
