using Banyan.GrainInterfaces.Serialization;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Storage;
using Banyan.Storage.Rows;

namespace Banyan.Grains.Tests.Serialization;

public sealed class WriteBatchSurrogateTests
{
    [Fact]
    public void A_batch_crosses_as_the_engine_codec_bytes_and_comes_back_equal()
    {
        WriteBatch batch = TestBatches.Stream(20, 1_000, seriesId: 9, firstElementId: 100);
        WriteBatchSurrogateConverter converter = new();
        WriteBatchSurrogate surrogate = converter.ConvertToSurrogate(batch);
        Assert.Equal(WriteBatchCodec.Encode(batch), surrogate.Encoded);

        WriteBatch back = converter.ConvertFromSurrogate(surrogate);
        Assert.Equal(batch.Kind, back.Kind);
        Assert.Equal(batch.SeriesIds.ToArray(), back.SeriesIds.ToArray());
        Assert.Equal(batch.Timestamps.ToArray(), back.Timestamps.ToArray());
        Assert.Equal(batch.Versions.ToArray(), back.Versions.ToArray());
        Assert.Equal("row 7", back.Columns[0].GetString(7));
    }

    [Fact]
    public void Damaged_bytes_raise_the_engine_corruption_error_naming_the_source()
    {
        byte[] bytes = WriteBatchCodec.Encode(TestBatches.Measure(5, 0));
        bytes[10] ^= 0xFF;
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => new WriteBatchSurrogateConverter().ConvertFromSurrogate(new WriteBatchSurrogate(bytes)));
        Assert.Contains(WriteBatchSurrogateConverter.Source, e.Message, StringComparison.Ordinal);
    }
}
