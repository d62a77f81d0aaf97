using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>alloc-report FILE [--depth N] [--top N]</c>: what a traced process allocated, from the runtime's allocation
/// samples in a dotnet-trace file (<c>load --alloc-trace FILE</c> records the silo's write phase; the runtime emits one
/// sample per about 100 KB allocated, with the type, whether it went to the large-object heap, and the stack). Prints
/// the sampled bytes by type, by the innermost Banyan frames of the stack (N of them, default 1), and by both, each as a
/// share of all sampled bytes. Shares, not totals: the sampling makes the bytes an estimate.
/// </summary>
public static class AllocationReportCommand
{
    private const string Usage = "alloc-report FILE [--depth N] [--top N]: FILE from `load --alloc-trace FILE` (or dotnet-trace collect --providers Microsoft-Windows-DotNETRuntime:0x1:5)";

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine(args.Length == 0 ? Usage : $"alloc-report: no such file '{args[0]}'\n{Usage}");
            return 2;
        }

        int depth = 1;
        int top = 30;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            if ((name is "--depth" or "--top") && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
            {
                (depth, top) = name == "--depth" ? (value, top) : (depth, value);
                i++;
            }
            else
            {
                Console.Error.WriteLine($"alloc-report: '{name}' is not an option or lacks a positive number\n{Usage}");
                return 2;
            }
        }

        string etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
        try
        {
            using TraceLog log = new(etlx);
            Report(log, depth, top);
        }
        finally
        {
            File.Delete(etlx);
        }

        return 0;
    }

    private static void Report(TraceLog log, int depth, int top)
    {
        Dictionary<string, long> byType = [];
        Dictionary<string, long> byFrames = [];
        Dictionary<string, long> byBoth = [];
        long total = 0;
        long large = 0;
        foreach (TraceEvent e in log.Events)
        {
            if (e is not GCAllocationTickTraceData tick)
            {
                continue;
            }

            long bytes = tick.AllocationAmount64;
            total += bytes;
            bool isLarge = tick.AllocationKind == GCAllocationKind.Large;
            large += isLarge ? bytes : 0;
            string type = (isLarge ? "[LOH] " : string.Empty) + (tick.TypeName ?? "?");
            string frames = BanyanFrames(tick.CallStack(), depth);
            Add(byType, type, bytes);
            Add(byFrames, frames, bytes);
            Add(byBoth, type + " @ " + frames, bytes);
        }

        if (total == 0)
        {
            Console.WriteLine("alloc-report: no allocation samples in the file (was it recorded with the GC keyword at level 5?)");
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled bytes {total:N0}, of which the large-object heap {100.0 * large / total:F1} %"));
        Print("by type", byType, total, top);
        Print($"by the innermost {depth} Banyan frame(s)", byFrames, total, top);
        Print("by type and frames", byBoth, total, top);
    }

    // The innermost `depth` frames of Banyan's code, innermost first; allocations below framework code only name its first frame.
    private static string BanyanFrames(TraceCallStack? stack, int depth)
    {
        List<string> frames = [];
        string? first = null;
        for (; stack is not null && frames.Count < depth; stack = stack.Caller)
        {
            string name = stack.CodeAddress.FullMethodName ?? string.Empty;
            first ??= name.Length > 0 ? name : null;
            if (name.StartsWith("Banyan.", StringComparison.Ordinal))
            {
                int parameters = name.IndexOf('(', StringComparison.Ordinal);
                frames.Add(parameters > 0 ? name[..parameters] : name);
            }
        }

        return frames.Count > 0 ? string.Join(" <- ", frames) : "(no Banyan frame) " + (first ?? "(no stack)");
    }

    private static void Add(Dictionary<string, long> totals, string key, long bytes) => totals[key] = totals.GetValueOrDefault(key) + bytes;

    private static void Print(string title, Dictionary<string, long> totals, long total, int top)
    {
        Console.WriteLine("--- " + title);
        foreach (KeyValuePair<string, long> entry in totals.OrderByDescending(e => e.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * entry.Value / total,6:F1} %  {entry.Key}"));
        }
    }
}
