using System.Globalization;
using System.Text.Json;
using Banyan.Storage.Shards;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- part-bytes [--json FILE] [--keep DIR]</c>: one shard ingest run of
/// <see cref="ShardIngestRun"/> (WAL on, 2 writers, final merge, every sample checked), then the
/// stored bytes of the live parts file by file (data files only: no WAL, snapshot or index), in
/// bytes per sample. The breakdown beside VictoriaMetrics' is made by <c>bytes-side-by-side.sh</c>.
/// </summary>
public static class PartBytesCommand
{
    public static int Run(string[] args)
    {
        string? json = null;
        string? keep = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = args[++i];
                    break;
                case "--keep":
                    keep = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"part-bytes: unknown argument '{args[i]}' (expected --json FILE, --keep DIR)");
                    return 2;
            }
        }

        ShardIngestData data = ShardIngestData.Load();
        var batches = ShardIngestRun.Batches(data, 10_000);
        string directory = keep ?? Path.Combine(Path.GetTempPath(), "banyan-part-bytes-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The stored bytes count only if every sample reads back exactly.
            ShardIngestRun.Result result = ShardIngestRun.Run(directory, batches, wal: true, writers: 2, ShardIngestCheck.Of(data.Series, data.Timestamps, data.Values));
            var files = new SortedDictionary<string, long>(StringComparer.Ordinal);
            long blocks = 0;
            int parts;
            using (Shard shard = Shard.Open(directory, ShardIngestRun.Options(wal: true)))
            {
                parts = shard.DiskPartIds.Count;
                foreach (long id in shard.DiskPartIds)
                {
                    string part = Path.Combine(directory, Banyan.Storage.Snapshots.SnapshotStore.PartFolderName(id));
                    foreach (string file in Directory.EnumerateFiles(part))
                    {
                        string name = Path.GetFileName(file);
                        files[name] = files.GetValueOrDefault(name) + new FileInfo(file).Length;
                    }

                    using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(part, "metadata.json")));
                    blocks += metadata.RootElement.GetProperty("blockCount").GetInt64();
                }
            }

            long total = files.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {result.Samples:N0} samples, {parts} live part(s), {blocks:N0} blocks, {result.IngestSeconds:F3} s to disk, final merge {result.FinalMergeSeconds:F2} s, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            foreach ((string name, long bytes) in files)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-16} {bytes,12:N0} B  {(double)bytes / result.Samples,7:F4} B/sample  {(double)bytes / blocks,8:F2} B/block"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-16} {total,12:N0} B  {(double)total / result.Samples,7:F4} B/sample"));
            if (json is not null)
            {
                File.WriteAllText(json, JsonSerializer.Serialize(new { result.Samples, Parts = parts, Blocks = blocks, Files = files, Total = total, BytesPerSample = (double)total / result.Samples }));
            }

            return 0;
        }
        finally
        {
            if (keep is null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
