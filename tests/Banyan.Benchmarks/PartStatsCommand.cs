using System.Globalization;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>part-stats DIR</c>: where the bytes of the parts under a data folder go (e.g. a <c>load --keep --data DIR</c>
/// run's): every part folder found under DIR (a folder with <c>metadata.json</c>), its rows and blocks, its files
/// grouped by kind (field values, block headers, timestamps, tag values, tag directories), and the field columns by
/// type in bytes per row, so rows of measures (int64, float64 fields) and TopN result lists (a binary field) are seen
/// apart. Reads only the block headers. Then the index segment files (<c>*.idx</c>) under the shards' inverted indexes
/// (<c>idx/</c>) and series indexes (<c>sidx/</c>): files, bytes and documents of each (a measure without index rules
/// has one document per series in its subject index).
/// </summary>
public static class PartStatsCommand
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command, printing the report to <paramref name="output"/> and a usage error to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            error.WriteLine("part-stats: expected one existing folder (e.g. the --data folder of `load --keep`)");
            return 2;
        }

        string[] parts = [.. Directory.EnumerateFiles(args[0], PartFileNames.Metadata, SearchOption.AllDirectories).Select(Path.GetDirectoryName).Order()!];
        long rows = 0;
        long blocks = 0;
        var files = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var fields = new SortedDictionary<string, (long Blocks, long Bytes, long Rows)>(StringComparer.Ordinal);
        var found = new List<BlockHeader>();

        // Per shard folder: each series' time span in each part, to count the series whose parts overlap in time (the
        // shard reads those row by row for an aggregate, not from block statistics).
        var spans = new Dictionary<string, Dictionary<ulong, List<(long Min, long Max)>>>(StringComparer.Ordinal);
        foreach (string folder in parts)
        {
            using PartReader part = PartReader.Open(folder);
            rows += part.Metadata.RowCount;
            blocks += part.Metadata.BlockCount;
            foreach (string file in Directory.EnumerateFiles(folder))
            {
                string kind = Path.GetExtension(file) is ".tf" or ".tfm" ? "*" + Path.GetExtension(file) : Path.GetFileName(file);
                files[kind] = files.GetValueOrDefault(kind) + new FileInfo(file).Length;
            }

            found.Clear();
            part.FindBlocks(SeriesTimeFilter.All, found);
            string shard = Path.GetDirectoryName(folder) ?? folder;
            if (!spans.TryGetValue(shard, out Dictionary<ulong, List<(long Min, long Max)>>? ofShard))
            {
                spans[shard] = ofShard = [];
            }

            var ofPart = new Dictionary<ulong, (long Min, long Max)>();
            foreach (BlockHeader header in found)
            {
                (long min, long max) = ofPart.GetValueOrDefault(header.SeriesId, (long.MaxValue, long.MinValue));
                ofPart[header.SeriesId] = (Math.Min(min, header.MinTimestamp), Math.Max(max, header.MaxTimestamp));
            }

            foreach ((ulong series, (long Min, long Max) span) in ofPart)
            {
                if (!ofShard.TryGetValue(series, out List<(long Min, long Max)>? list))
                {
                    ofShard[series] = list = [];
                }

                list.Add(span);
            }

            foreach (BlockHeader header in found)
            {
                foreach (ColumnHeader field in header.Fields)
                {
                    string key = field.Type.ToString();
                    (long b, long bytes, long r) = fields.GetValueOrDefault(key);
                    fields[key] = (b + 1, bytes + field.Size, r + header.RowCount);
                }
            }
        }

        long total = files.Values.Sum();
        output.WriteLine(Str($"{parts.Length} parts, {rows:N0} rows in {blocks:N0} blocks ({(double)rows / Math.Max(1, blocks):F1} rows per block), {total:N0} bytes = {(double)total / Math.Max(1, rows):F3} B/row"));
        output.WriteLine("by file:");
        foreach ((string kind, long bytes) in files)
        {
            output.WriteLine(Str($"  {kind,-16} {bytes,14:N0} B  {(double)bytes / Math.Max(1, rows):F3} B/row  {(double)bytes / Math.Max(1, blocks):F1} B/block"));
        }

        output.WriteLine("field columns by type (payload frames in fv.bin; TopN result lists are the binary ones):");
        foreach ((string type, (long b, long bytes, long r)) in fields)
        {
            output.WriteLine(Str($"  {type,-16} {bytes,14:N0} B over {r:N0} rows in {b:N0} blocks  {(double)bytes / Math.Max(1, r):F3} B/row"));
        }

        long seriesInShards = spans.Values.Sum(s => (long)s.Count);
        long overlapping = spans.Values.Sum(s => (long)s.Values.Count(Overlap));
        output.WriteLine(Str($"series whose parts overlap in time (aggregates read them row by row): {overlapping:N0} of {seriesInShards:N0}"));
        foreach (string kind in new[] { ShardIndexer.IndexFolder, ShardIndexer.SeriesIndexFolder })
        {
            (int segmentFiles, long segmentBytes, long documents) = IndexSegments(args[0], kind);
            output.WriteLine(Str($"index segments under {kind}/: {segmentFiles:N0} files, {segmentBytes:N0} B, {documents:N0} documents"));
        }

        return 0;
    }

    // The segment files under every folder named kind (idx or sidx) below root, each opened and verified for its document count.
    private static (int Files, long Bytes, long Documents) IndexSegments(string root, string kind)
    {
        int files = 0;
        long bytes = 0;
        long documents = 0;
        foreach (string folder in Directory.EnumerateDirectories(root, kind, SearchOption.AllDirectories))
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*.idx", SearchOption.AllDirectories))
            {
                files++;
                bytes += new FileInfo(file).Length;
                documents += IndexSegment.Open(file).DocCount;
            }
        }

        return (files, bytes, documents);
    }

    // Whether two of a series' per-part spans intersect.
    private static bool Overlap(List<(long Min, long Max)> spans)
    {
        spans.Sort();
        for (int i = 1; i < spans.Count; i++)
        {
            if (spans[i].Min <= spans[i - 1].Max)
            {
                return true;
            }
        }

        return false;
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
