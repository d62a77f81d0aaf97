using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.CrashChild;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;
using Xunit.Abstractions;

namespace Banyan.Storage.Tests.Durability;

/// <summary>
/// Damages whole shards, closed cleanly after writes, flushes and a merge: a random bit flip or
/// truncation of any file (parts, snapshots, series and inverted indexes, WAL), then opens the shard,
/// reads everything and compares it with what was written. The only acceptable outcomes are exact
/// recovery and <see cref="StorageCorruptionException"/> naming the damaged file; never another
/// exception, a hang, or rows that differ from those written (streams losing rows, measures bringing
/// back older versions). A few dozen damages in the default run, thousands with BANYAN_LONG_TESTS=1.
/// </summary>
public sealed class ShardDamageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DataKind.Stream)]
    [InlineData(DataKind.Measure)]
    public async Task Random_damage_anywhere_in_a_shard_is_reported_or_recovered_exactly(DataKind kind)
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        string pristine = Path.Combine(dir.Path, "pristine");
        Dictionary<(ulong, long), long> expected = Build(pristine, kind);
        string[] files = Directory.GetFiles(pristine, "*", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        string[] walFiles = Directory.GetFiles(Path.Combine(pristine, "wal"));
        int damages = CrashTestsSettings.LongRun ? 1500 : 40;
        int exact = 0;
        Dictionary<string, (int Reported, int Exact)> byFile = [];
        for (int i = 0; i < damages; i++)
        {
            string scratch = Path.Combine(dir.Path, "damaged-" + i.ToString(CultureInfo.InvariantCulture));
            Copy(pristine, scratch);
            // A quarter of the damages go to the WAL, which holds few of the files but the newest data.
            string[] pool = random.Next(4) == 0 ? walFiles : files;
            string relative = Path.GetRelativePath(pristine, pool[random.Next(pool.Length)]);
            string target = Path.Combine(scratch, relative);
            byte[] bytes = File.ReadAllBytes(target);
            string damage;
            if (bytes.Length == 0 || random.Next(2) == 0)
            {
                int length = bytes.Length == 0 ? 0 : random.Next(bytes.Length);
                File.WriteAllBytes(target, bytes.AsSpan(0, length).ToArray());
                damage = $"{relative} truncated from {bytes.Length} to {length} bytes";
            }
            else
            {
                int at = random.Next(bytes.Length);
                bytes[at] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(target, bytes);
                damage = $"{relative} bit flip at offset {at} of {bytes.Length}";
            }

            string context = $"seed {seed}, damage {i}: {damage}";
            string kindOfFile = FileKind(relative);
            Task<StorageCorruptionException?> check = Task.Run(() => OpenAndCompare(scratch, kind, expected, context));
            Assert.True(await Task.WhenAny(check, Task.Delay(s_bound)) == check, $"{context}: opening and reading did not finish within {s_bound}");
            StorageCorruptionException? error = await check;
            (int reported, int recovered) = byFile.GetValueOrDefault(kindOfFile);
            if (error is null)
            {
                exact++;
                byFile[kindOfFile] = (reported, recovered + 1);
            }
            else
            {
                byFile[kindOfFile] = (reported + 1, recovered);
                Assert.True(error.FilePath == target, $"{context}: the error names {error.FilePath}: {error.Message}");
            }

            Directory.Delete(scratch, recursive: true);
        }

        output.WriteLine($"{kind}: {damages} damages, {damages - exact} reported, {exact} recovered exactly; by file: "
            + string.Join(", ", byFile.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value.Reported} reported / {f.Value.Exact} exact")));
    }

    // Opens the damaged shard and reads everything: null when it equals what was written, the typed
    // error when one was raised; anything else fails the test.
    private static StorageCorruptionException? OpenAndCompare(string path, DataKind kind, Dictionary<(ulong, long), long> expected, string context)
    {
        try
        {
            using Shard shard = Shard.Open(path, kind == DataKind.Stream ? ShardWorkload.Options() : MeasureBatches.Options());
            Dictionary<(ulong, long), long> read = [];
            using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
            {
                while (scan.MoveNext())
                {
                    Assert.True(read.TryAdd((scan.SeriesId, scan.Timestamp), scan.Version), $"{context}: row ({scan.SeriesId}, {scan.Timestamp}) read twice");
                    ColumnBuffer values = scan.CurrentBlock.FindColumn(kind == DataKind.Stream ? "default" : null, "v") ?? throw new InvalidOperationException("v missing");
                    long value = values.GetInt64(scan.CurrentRow);
                    long want = kind == DataKind.Stream ? scan.Version * 7 : ValueOfMeasure(scan.Version, scan.SeriesId, scan.Timestamp);
                    Assert.True(value == want, $"{context}: row ({scan.SeriesId}, {scan.Timestamp}) version {scan.Version} holds {value}, written {want}");
                }
            }

            Assert.True(read.Count == expected.Count, $"{context}: {read.Count} rows read, {expected.Count} written");
            foreach (((ulong, long) key, long version) in expected)
            {
                Assert.True(read.TryGetValue(key, out long got) && got == version, $"{context}: row {key} reads version {(read.TryGetValue(key, out long v) ? v : -1)}, the newest written is {version}");
            }

            if (kind == DataKind.Stream)
            {
                List<IndexedRow> all = shard.QueryIndexed(new Condition("v", ConditionOp.Ge, TagValue.FromInt64(0)), long.MinValue, long.MaxValue);
                Assert.True(all.Count == expected.Count, $"{context}: the index finds {all.Count} rows, {expected.Count} written");
            }

            return null;
        }
        catch (StorageCorruptionException e)
        {
            return e;
        }
    }

    // Writes a shard: batches flushed in groups, one merge, the last ones only in the WAL. Returns the
    // newest version of each (series, timestamp).
    private static Dictionary<(ulong, long), long> Build(string path, DataKind kind)
    {
        Dictionary<(ulong, long), long> expected = [];
        int batches = kind == DataKind.Stream ? 60 : 80;
        using Shard shard = Shard.Open(path, kind == DataKind.Stream ? ShardWorkload.Options() : MeasureBatches.Options());
        for (long b = 0; b < batches; b++)
        {
            WriteBatch batch = kind == DataKind.Stream ? ShardWorkload.Batch(b) : MeasureBatches.Batch(b);
            shard.Write(batch);
            for (int row = 0; row < batch.Count; row++)
            {
                (ulong, long) key = (batch.SeriesIds[row], batch.Timestamps[row]);
                expected[key] = Math.Max(expected.GetValueOrDefault(key, -1), batch.Versions[row]);
            }

            if (b % 12 == 11 && b < batches - 10)
            {
                shard.Flush();
            }

            if (b == 40)
            {
                shard.Merge(force: true);
            }
        }

        return expected;
    }

    private static long ValueOfMeasure(long version, ulong series, long timestamp)
    {
        for (int key = 0; key < MeasureBatches.Keys; key++)
        {
            if (MeasureBatches.SeriesOf(key) == series && MeasureBatches.TimestampOf(key) == timestamp)
            {
                return MeasureBatches.ValueOf(version, key);
            }
        }

        return -1;
    }

    private static string FileKind(string relative)
    {
        string name = Path.GetFileName(relative);
        string folder = relative.Split(Path.DirectorySeparatorChar)[0];
        return folder is "wal" or "idx" or "sidx" ? $"{folder}/*{Path.GetExtension(name)}"
            : name.EndsWith(".snp", StringComparison.Ordinal) ? "*.snp"
            : $"part/{name}";
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.GetDirectories(from))
        {
            Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}
