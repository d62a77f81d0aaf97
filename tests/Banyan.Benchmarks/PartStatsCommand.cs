using System.Globalization;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>part-stats DIR</c>: where the bytes of the parts under a data folder go (e.g. a <c>load --keep --data DIR</c>
/// run's): every part folder found under DIR (a folder with <c>metadata.json</c>), its rows and blocks, its files
/// grouped by kind (field values, block headers, timestamps, tag values, tag directories), and the field columns by
/// type in bytes per row, so rows of measures (int64, float64 fields) and TopN result lists (a binary field) are seen
/// apart. Reads only the block headers.
/// </summary>
public static class PartStatsCommand
{
    public static int Run(string[] args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("part-stats: expected one existing folder (e.g. the --data folder of `load --keep`)");
            return 2;
        }

        string[] parts = [.. Directory.EnumerateFiles(args[0], PartFileNames.Metadata, SearchOption.AllDirectories).Select(Path.GetDirectoryName).Order()!];
        long rows = 0;
        long blocks = 0;
        var files = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var fields = new SortedDictionary<string, (long Blocks, long Bytes, long Rows)>(StringComparer.Ordinal);
        var found = new List<BlockHeader>();
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
        Console.WriteLine(Str($"{parts.Length} parts, {rows:N0} rows in {blocks:N0} blocks ({(double)rows / Math.Max(1, blocks):F1} rows per block), {total:N0} bytes = {(double)total / Math.Max(1, rows):F3} B/row"));
        Console.WriteLine("by file:");
        foreach ((string kind, long bytes) in files)
        {
            Console.WriteLine(Str($"  {kind,-16} {bytes,14:N0} B  {(double)bytes / Math.Max(1, rows):F3} B/row  {(double)bytes / Math.Max(1, blocks):F1} B/block"));
        }

        Console.WriteLine("field columns by type (payload frames in fv.bin; TopN result lists are the binary ones):");
        foreach ((string type, (long b, long bytes, long r)) in fields)
        {
            Console.WriteLine(Str($"  {type,-16} {bytes,14:N0} B over {r:N0} rows in {b:N0} blocks  {(double)bytes / Math.Max(1, r):F3} B/row"));
        }

        return 0;
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
