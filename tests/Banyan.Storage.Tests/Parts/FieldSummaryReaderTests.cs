using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

public sealed class FieldSummaryReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Answers_from_block_statistics_equal_answers_from_decoded_rows(int seed)
    {
        var random = new Random(seed);
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "f", ColumnValueType.Float64);
        batch.AddColumn(null, "i", ColumnValueType.Int64);
        var reference = new Dictionary<ulong, List<(long Ts, double F, long I, bool FNull, bool INull)>>();
        for (ulong s = 1; s <= 5; s++)
        {
            reference[s] = [];
            for (int k = 0; k < 500; k++)
            {
                long ts = k * 10_000_000_000L;
                bool fNull = random.Next(15) == 0;
                bool iNull = random.Next(15) == 0;
                double f = Math.Round(random.NextDouble() * 100, random.Next(4));
                long i = random.NextInt64(-1_000_000, 1_000_000);
                batch.AddRow(s, ts, 1, [fNull ? ColumnValue.Null : ColumnValue.FromFloat64(f), iNull ? ColumnValue.Null : ColumnValue.FromInt64(i)]);
                reference[s].Add((ts, f, i, fNull, iNull));
            }
        }

        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 64, Fsync = false };
        using var temp = new TempDirectory();
        using MemoryPart memory = MemoryPart.Build(batch, options);
        memory.WriteTo(temp.Sub("p"), options);
        using PartReader disk = PartReader.Open(temp.Sub("p"));
        var block = new Block();
        var scratch = new DecodeScratch();
        var headers = new List<BlockHeader>();
        foreach (IPartReader part in new IPartReader[] { memory, disk })
        {
            for (ulong s = 1; s <= 5; s++)
            {
                long min = random.Next(2) == 0 ? long.MinValue : random.Next(100) * 10_000_000_000L + 5;
                long max = random.Next(2) == 0 ? long.MaxValue : min + (random.Next(1, 400) * 10_000_000_000L);
                foreach (string field in new[] { "f", "i" })
                {
                    FieldSummary fromStats = FieldSummaryReader.Read(part, s, min, max, field, useStatistics: true, block, scratch, headers);
                    FieldSummary decoded = FieldSummaryReader.Read(part, s, min, max, field, useStatistics: false, block, scratch, headers);
                    Assert.True(fromStats == decoded, $"seed {seed} series {s} field {field}: stats {fromStats} vs decoded {decoded}");
                    Assert.True(fromStats.BlocksFromStatistics > 0 || min != long.MinValue || max != long.MaxValue, $"seed {seed}: no block answered from statistics");
                    Assert.Equal(0, decoded.BlocksFromStatistics);

                    // And against the reference model.
                    var rows = reference[s].Where(r => r.Ts >= min && r.Ts <= max).ToList();
                    if (field == "f")
                    {
                        var values = rows.Where(r => !r.FNull).Select(r => r.F).ToList();
                        Assert.Equal(values.Count, fromStats.Count);
                        if (values.Count > 0)
                        {
                            Assert.Equal(values.Min(), fromStats.Float64Min);
                            Assert.Equal(values.Max(), fromStats.Float64Max);
                            Assert.Equal(values.Sum(), fromStats.Float64Sum, 6);
                            Assert.Equal(values.Average(), fromStats.Mean, 6);
                        }
                    }
                    else
                    {
                        var values = rows.Where(r => !r.INull).Select(r => r.I).ToList();
                        Assert.Equal(values.Count, fromStats.Count);
                        if (values.Count > 0)
                        {
                            Assert.Equal(values.Min(), fromStats.Int64Min);
                            Assert.Equal(values.Max(), fromStats.Int64Max);
                            Assert.Equal(values.Sum(), fromStats.Int64Sum);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Block_headers_carry_count_min_max_sum_first_last()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddRow(9, 1, 0, [ColumnValue.FromInt64(5)]);
        batch.AddRow(9, 2, 0, [ColumnValue.Null]);
        batch.AddRow(9, 3, 0, [ColumnValue.FromInt64(-2)]);
        batch.AddRow(9, 4, 0, [ColumnValue.FromInt64(7)]);
        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), new PartWriterOptions { Fsync = false });
        using PartReader part = PartReader.Open(temp.Sub("p"));
        var headers = new List<BlockHeader>();
        part.FindBlocks(SeriesTimeFilter.All, headers);
        ColumnStatistics stats = Assert.Single(headers).Fields[0].Statistics;
        Assert.Equal((3, -2L, 7L, 10L, 5L, 7L), (stats.Count, stats.Int64Min, stats.Int64Max, stats.Int64Sum, stats.Int64First, stats.Int64Last));
        Assert.Equal((1L, 4L), (headers[0].MinTimestamp, headers[0].MaxTimestamp));
    }
}
