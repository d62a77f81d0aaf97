using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Banyan.Benchmarks.Load;

/// <summary>Bytes of a folder: allocated (<c>du -s -B1</c>, the peer benchmark's headline figure) and apparent, with a split by kind of file.</summary>
/// <param name="Allocated">Allocated blocks of every file and folder, bytes, as <c>du -s -B1</c> reports them.</param>
/// <param name="Apparent">Sum of the regular files' sizes.</param>
/// <param name="Files">Number of regular files.</param>
/// <param name="ApparentByKind">Apparent bytes per kind: <c>parts</c> (part folders), <c>wal</c>, <c>index</c> (series and inverted index), <c>grain state</c>, <c>other</c>.</param>
public sealed partial record DiskUsage(long Allocated, long Apparent, int Files, IReadOnlyDictionary<string, long> ApparentByKind)
{
    /// <summary>Measures <paramref name="folder"/>.</summary>
    public static DiskUsage Of(string folder)
    {
        long apparent = 0;
        int files = 0;
        SortedDictionary<string, long> byKind = new(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            long length;
            try
            {
                length = new FileInfo(file).Length;
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            apparent += length;
            files++;
            string kind = KindOf(Path.GetRelativePath(folder, file));
            byKind[kind] = byKind.GetValueOrDefault(kind) + length;
        }

        return new DiskUsage(AllocatedBytes(folder), apparent, files, byKind);
    }

    /// <summary>One line: allocated, apparent and the split.</summary>
    public string Describe(long points)
        => string.Create(CultureInfo.InvariantCulture, $"{Allocated:N0} B allocated ({(double)Allocated / points:F3} B/point), {Apparent:N0} B apparent ({(double)Apparent / points:F3} B/point) in {Files} files; apparent by kind: ")
           + string.Join(", ", ApparentByKind.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value:N0}")));

    // <group>/seg-<time>/shard-<n>/<entry>/...: the entry names the kind; outside shard folders, the first folder does.
    private static string KindOf(string relative)
    {
        string[] parts = relative.Split(Path.DirectorySeparatorChar);
        if (parts[0] == "_grains")
        {
            return "grain state";
        }

        int shard = Array.FindIndex(parts, p => p.StartsWith("shard-", StringComparison.Ordinal));
        if (shard < 0 || shard + 1 >= parts.Length)
        {
            return "other";
        }

        string entry = parts[shard + 1];
        if (entry.StartsWith("wal", StringComparison.OrdinalIgnoreCase))
        {
            return "wal";
        }

        if (entry.StartsWith("idx", StringComparison.OrdinalIgnoreCase) || entry.StartsWith("sidx", StringComparison.OrdinalIgnoreCase))
        {
            return "index";
        }

        return shard + 2 < parts.Length && HexName().IsMatch(entry) ? "parts" : "shard files: " + (shard + 2 < parts.Length ? entry + "/" : entry);
    }

    private static long AllocatedBytes(string folder)
    {
        ProcessStartInfo info = new("du", ["-s", "-B1", folder]) { RedirectStandardOutput = true, UseShellExecute = false };
        using Process du = Process.Start(info) ?? throw new InvalidOperationException("cannot run du");
        string output = du.StandardOutput.ReadToEnd();
        if (!du.WaitForExit(TimeSpan.FromSeconds(60)) || du.ExitCode != 0)
        {
            throw new InvalidOperationException($"du -s -B1 {folder} failed: {output}");
        }

        return long.Parse(output.Split('\t', 2)[0], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[0-9a-fA-F]{8,}$")]
    private static partial Regex HexName();
}
