using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

public sealed class ShardModelTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(bool wal) => new()
    {
        WalEnabled = wal,
        FlushThresholdBytes = 16 * 1024,
        MaxMemoryBytes = 64 * 1024,
        MaxMemoryParts = 12,
        SealRows = 150,
        PartWriter = PartWriterOptions.Default with { Fsync = false, MaxMeasureRowsPerBlock = 64 },
        Merge = new MergePolicy { MaxPartsPerMerge = 4, MinOutputToLargestRatio = 1.5 },
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Random_interleavings_match_the_reference_model(bool wal)
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        ShardModel model = new();
        Shard shard = _leaks.Open(dir.Path, Options(wal));
        try
        {
            int steps = CrashTestsSettings.LongRun ? 3000 : 400;
            for (int step = 0; step < steps; step++)
            {
                int op = random.Next(100);
                string context = $"seed {seed}, step {step}, op {op}";
                if (op < 55)
                {
                    WriteBatch batch = ShardModel.RandomBatch(random, 60, 12, 500);
                    shard.Write(batch);
                    model.Apply(batch);
                }
                else if (op < 65)
                {
                    shard.Flush();
                }
                else if (op < 73)
                {
                    // As the merge timer does: merge until the policy finds nothing worth merging.
                    bool force = random.Next(4) == 0;
                    while (shard.Merge(force) && !force)
                    {
                    }
                }
                else if (op < 78)
                {
                    if (!wal)
                    {
                        shard.Flush(); // WAL off: only flushed data survives, by contract
                    }

                    shard.Dispose();
                    shard = _leaks.Open(dir.Path, Options(wal));
                }
                else
                {
                    SeriesTimeFilter query = ShardModel.RandomQuery(random, 12, 500, out ulong[]? series);
                    using ShardScan scan = shard.Scan(query, ColumnProjection.All);
                    ShardModel.AssertSame(model.Expected(series, query.MinTimestamp, query.MaxTimestamp), ShardModel.Read(scan), context);
                }
            }

            using ShardScan all = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
            Assert.True(model.Expected(null, long.MinValue, long.MaxValue).SequenceEqual(ShardModel.Read(all)), $"seed {seed}, final");
        }
        finally
        {
            shard.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_writers_flushes_merges_and_readers_stay_consistent()
    {
        int seed = Environment.TickCount;
        using TempDirectory dir = new();
        ShardModel model = new();
        using Shard shard = _leaks.Open(dir.Path, Options(wal: true));
        const int Writers = 4;
        List<WriteBatch>[] written = new List<WriteBatch>[Writers];
        using CancellationTokenSource stop = new();
        Task[] writers = new Task[Writers];
        for (int w = 0; w < Writers; w++)
        {
            int writer = w;
            written[w] = [];
            writers[w] = Task.Run(async () =>
            {
                Random random = new(seed + writer);
                for (int i = 0; i < 60; i++)
                {
                    // Distinct series per writer: the model need not know the interleaving.
                    WriteBatch batch = ShardModel.RandomBatch(random, 50, 5, 300);
                    WriteBatch shifted = new(DataKind.Measure);
                    shifted.AddColumn(null, "v", ColumnValueType.Float64);
                    for (int r = 0; r < batch.Count; r++)
                    {
                        shifted.AddRow(batch.SeriesIds[r] + (ulong)writer, batch.Timestamps[r], batch.Versions[r], [batch.Columns[0].GetValue(r)]);
                    }

                    if (i % 2 == 0)
                    {
                        shard.Write(shifted);
                    }
                    else
                    {
                        await shard.WriteAsync(shifted);
                    }

                    written[writer].Add(shifted);
                }
            });
        }

        Task maintenance = Task.Run(() =>
        {
            Random random = new(seed);
            while (!stop.IsCancellationRequested)
            {
                shard.Flush();
                shard.Merge(random.Next(3) == 0);
                using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
                List<(ulong Series, long Timestamp, long Version, double Value)> rows = ShardModel.Read(scan);
                for (int i = 1; i < rows.Count; i++)
                {
                    Assert.True(rows[i - 1].Series < rows[i].Series || (rows[i - 1].Series == rows[i].Series && rows[i - 1].Timestamp < rows[i].Timestamp), $"seed {seed}: scan out of order or duplicated");
                }
            }
        });

        await Task.WhenAll(writers);
        stop.Cancel();
        await maintenance;
        foreach (List<WriteBatch> batches in written)
        {
            foreach (WriteBatch batch in batches)
            {
                model.Apply(batch);
            }
        }

        using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            Assert.True(model.Expected(null, long.MinValue, long.MaxValue).SequenceEqual(ShardModel.Read(scan)), $"seed {seed}");
        }

        // A write that crossed the flush threshold may have started a flush in the background that is still running: a
        // forced merge that looked at the parts before it installed declines (one part) and the flush then adds a second.
        // Flush joins that pass and returns once it has installed, so the forced merge sees every part.
        shard.Flush();
        Assert.True(shard.Merge(force: true) || shard.DiskPartIds.Count <= 1);
        using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            Assert.True(model.Expected(null, long.MinValue, long.MaxValue).SequenceEqual(ShardModel.Read(scan)), $"seed {seed}, after full merge");
        }
    }
}
