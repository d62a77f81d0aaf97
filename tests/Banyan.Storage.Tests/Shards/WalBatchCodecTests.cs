using Banyan.Storage.Encoding;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Shards;

public sealed class WalBatchCodecTests
{
    [Fact]
    public void Random_batches_round_trip()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        for (int round = 0; round < 50; round++)
        {
            WriteBatch batch = new(round % 2 == 0 ? PartKind.Measure : PartKind.Stream);
            int tags = batch.AddColumn("default", "service", ColumnValueType.String);
            int numbers = batch.AddColumn(batch.Kind == PartKind.Measure ? null : "default", "value", ColumnValueType.Float64);
            int rows = random.Next(0, 300);
            for (int i = 0; i < rows; i++)
            {
                ColumnValue[] values = new ColumnValue[2];
                values[tags] = random.Next(5) == 0 ? ColumnValue.Null : ColumnValue.FromString("svc-" + random.Next(4));
                values[numbers] = ColumnValue.FromFloat64(random.NextDouble() * 100);
                batch.AddRow((ulong)random.NextInt64(), random.NextInt64(-1000, 1_000_000_000_000), random.Next(3), values);
            }

            using ByteBuffer buffer = new();
            WalBatchCodec.Encode(batch, buffer);
            WriteBatch decoded = WalBatchCodec.Decode(buffer.WrittenSpan, "test");
            Assert.Equal(batch.Kind, decoded.Kind);
            Assert.Equal(batch.SeriesIds.ToArray(), decoded.SeriesIds.ToArray());
            Assert.Equal(batch.Timestamps.ToArray(), decoded.Timestamps.ToArray());
            Assert.Equal(batch.Versions.ToArray(), decoded.Versions.ToArray());
            Assert.Equal(batch.Columns.Count, decoded.Columns.Count);
            for (int c = 0; c < batch.Columns.Count; c++)
            {
                for (int i = 0; i < rows; i++)
                {
                    Assert.True(batch.Columns[c].GetValue(i).Equals(decoded.Columns[c].GetValue(i)), $"seed {seed} round {round} column {c} row {i}");
                }
            }
        }
    }

    [Fact]
    public void Truncated_or_damaged_payloads_raise_only_corruption()
    {
        WriteBatch batch = new(PartKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        for (int i = 0; i < 20; i++)
        {
            batch.AddRow((ulong)(i / 5), i * 1000L, 1, [ColumnValue.FromInt64(i)]);
        }

        using ByteBuffer buffer = new();
        WalBatchCodec.Encode(batch, buffer);
        byte[] bytes = buffer.WrittenSpan.ToArray();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<StorageCorruptionException>(() => WalBatchCodec.Decode(bytes.AsSpan(0, length), "wal"));
        }

        Random random = new(7);
        for (int i = 0; i < 500; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                WalBatchCodec.Decode(copy, "wal");
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }
}
