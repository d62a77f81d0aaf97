using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Columns;

/// <summary>
/// Rows copied from another column (<see cref="ColumnBuffer.AppendFrom"/>) whose value repeats the row before share that
/// row's bytes: every row reads back its own value, the column counts the bytes as if each row had its copy
/// (<see cref="ColumnBuffer.UncompressedSize"/>, which cuts blocks), and it encodes to the same bytes.
/// </summary>
public class ColumnBufferSharedRowsTests
{
    [Theory]
    [InlineData(ColumnValueType.String)]
    [InlineData(ColumnValueType.Binary)]
    public void Repeated_values_copied_row_by_row_read_back_count_and_encode_as_copies(ColumnValueType type)
    {
        var random = new Random(3);
        for (int round = 0; round < 200; round++)
        {
            // Runs of one value (a series' tags in its block), with nulls, empty values and changes between them.
            ColumnBuffer source = new("default", "tag", type);
            var values = new List<byte[]?>();
            while (values.Count < 100)
            {
                byte[]? value = random.Next(8) switch
                {
                    0 => null,
                    1 => [],
                    _ => [.. Enumerable.Range(0, random.Next(1, 30)).Select(_ => (byte)random.Next(3))],
                };
                for (int i = random.Next(1, 12); i > 0; i--)
                {
                    values.Add(value);
                    if (value is null)
                    {
                        source.AppendNull();
                    }
                    else
                    {
                        source.AppendBytes(value);
                    }
                }
            }

            ColumnBuffer copied = new("default", "tag", type);
            ColumnBuffer plain = new("default", "tag", type);
            int first = random.Next(values.Count);
            for (int row = first; row < values.Count; row++)
            {
                copied.AppendFrom(source, row);
                if (values[row] is { } bytes)
                {
                    plain.AppendBytes(bytes);
                }
                else
                {
                    plain.AppendNull();
                }
            }

            for (int row = first; row < values.Count; row++)
            {
                Assert.Equal(values[row] is null, copied.IsNull(row - first));
                Assert.Equal(values[row] ?? [], copied.GetBytes(row - first).ToArray());
            }

            Assert.Equal(plain.UncompressedSize, copied.UncompressedSize);
            Assert.True(copied.HeapLength <= plain.HeapLength);
            using ByteBuffer a = new();
            using ByteBuffer b = new();
            Assert.Equal(ColumnCodec.Encode(plain, a), ColumnCodec.Encode(copied, b));
            Assert.Equal(a.ToArray(), b.ToArray());
        }
    }

    [Fact]
    public void A_series_tag_in_every_row_of_a_block_is_stored_once()
    {
        ColumnBuffer source = new("default", "service_id", ColumnValueType.String);
        source.AppendString("service-0001");
        ColumnBuffer block = new("default", "service_id", ColumnValueType.String);
        for (int i = 0; i < 360; i++)
        {
            block.AppendFrom(source, 0);
        }

        Assert.Equal("service-0001".Length, block.HeapLength);
        Assert.Equal((360L * "service-0001".Length) + (4L * 360), block.UncompressedSize);
        Assert.All(Enumerable.Range(0, 360), i => Assert.Equal("service-0001", block.GetString(i)));

        block.Reset();
        block.AppendFrom(source, 0);
        Assert.Equal("service-0001".Length + 4L, block.UncompressedSize); // Reset forgets the shared bytes too
    }
}
