using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>Binary field columns (TopN result lists) are compressed at <see cref="PartWriterOptions.BinaryZstdLevel"/>.</summary>
public sealed class BinaryFieldCompressionTests
{
    [Fact]
    public void Binary_fields_take_their_own_level_and_read_back_the_same()
    {
        // Lists of the same 300 entities in the same (sorted) order, most values as in the list before, like a TopN
        // measure's kept lists: long repeats from list to list, which a higher level finds and level 1 partly misses.
        var random = new Random(3);
        string[] entities = [.. Enumerable.Range(0, 300).Select(i => Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64())) + "_" + i).Order(StringComparer.Ordinal)];
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "list", ColumnValueType.Binary);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        int[] values = new int[entities.Length];
        for (int row = 0; row < 64; row++)
        {
            for (int e = 0; e < values.Length; e++)
            {
                values[e] = random.Next(10) == 0 ? random.Next(100_000) : values[e];
            }

            byte[] list = [.. entities.SelectMany((e, i) => System.Text.Encoding.ASCII.GetBytes(e + "=" + values[i] + ";"))];
            batch.AddRow(1, row * 60_000_000_000L, 0, [ColumnValue.FromBinary(list), ColumnValue.FromFloat64(row * 0.5)]);
        }

        using var temp = new TempDirectory();
        var fast = new PartWriterOptions { Fsync = false, BinaryZstdLevel = 1 };
        var hard = new PartWriterOptions { Fsync = false, BinaryZstdLevel = 9 };
        MemoryPart.Build(batch).WriteTo(temp.Sub("fast"), fast);
        MemoryPart.Build(batch).WriteTo(temp.Sub("hard"), hard);
        long Size(string part) => new FileInfo(Path.Combine(temp.Sub(part), PartFileNames.FieldValues)).Length;
        Assert.True(Size("hard") < Size("fast") * 0.9, $"fv.bin {Size("hard")} bytes at level 9, {Size("fast")} at level 1");
        Assert.Equal(7, PartWriterOptions.Default.BinaryZstdLevel);

        foreach (string part in new[] { "fast", "hard" })
        {
            using PartReader reader = PartReader.Open(temp.Sub(part));
            var headers = new List<BlockHeader>();
            reader.FindBlocks(SeriesTimeFilter.All, headers);
            var block = new Block();
            reader.ReadBlock(Assert.Single(headers), ColumnProjection.All, block, new Banyan.Storage.Encodings.DecodeScratch());
            for (int row = 0; row < batch.Count; row++)
            {
                Assert.Equal(batch.Columns[0].GetValue(row), block.FindColumn(null, "list")!.GetValue(row));
                Assert.Equal(batch.Columns[1].GetValue(row), block.FindColumn(null, "value")!.GetValue(row));
            }
        }
    }
}
