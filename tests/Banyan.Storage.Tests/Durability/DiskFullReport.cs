using System.Globalization;

namespace Banyan.Storage.Tests.Durability;

/// <summary>An operation that threw, as the disk-full child reported it.</summary>
/// <param name="Phase">"full" (before the ballast was deleted) or "freed".</param>
/// <param name="Subject">The batch id (writes) or the operation name (flush, merge).</param>
/// <param name="Type">The exception's type name.</param>
/// <param name="Errno">The kernel's error number under the exception (28 = ENOSPC), or -1.</param>
/// <param name="FilePath"><see cref="StorageFullException.FilePath"/>, or empty for other exceptions.</param>
/// <param name="Message">The exception's message.</param>
public sealed record DiskFullFailure(string Phase, string Subject, string Type, int Errno, string FilePath, string Message);

/// <summary>A leftover entry in the shard folder: kind "tmp" (a temporary file or folder) or "unlisted" (a part folder not live).</summary>
public sealed record DiskFullLeftover(string Phase, string Kind, string Name);

/// <summary>The parsed output of one <c>diskfull</c> run of the crash child (format in its <c>DiskFullWorkload</c>).</summary>
public sealed class DiskFullReport
{
    private DiskFullReport(string transcript) => Transcript = transcript;

    /// <summary>The child's whole stdout and stderr, for assertion messages.</summary>
    public string Transcript { get; }

    /// <summary>Batches whose <c>Write</c> returned, in order.</summary>
    public List<long> Acked { get; } = [];

    /// <summary>Writes that threw.</summary>
    public List<DiskFullFailure> Rejected { get; } = [];

    /// <summary>Flushes and merges that threw.</summary>
    public List<DiskFullFailure> Failed { get; } = [];

    /// <summary>Observed values by key.</summary>
    public Dictionary<string, string> States { get; } = [];

    /// <summary>Leftover entries per phase.</summary>
    public List<DiskFullLeftover> Leftovers { get; } = [];

    /// <summary>Per scanned phase: rows found per batch.</summary>
    public Dictionary<string, Dictionary<long, int>> Scans { get; } = [];

    /// <summary>Rows whose content was not what was written.</summary>
    public List<string> BadRows { get; } = [];

    /// <summary>True when the child reached the end of its scenario.</summary>
    public bool Done { get; private set; }

    /// <summary>The unexpected exception that ended the child, if any.</summary>
    public string? Crash { get; private set; }

    /// <summary>Parses the child's stdout; <paramref name="transcript"/> is kept for messages.</summary>
    public static DiskFullReport Parse(string stdout, string transcript)
    {
        DiskFullReport report = new(transcript);
        string phase = "full";
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split('\t');
            switch (f[0])
            {
                case "DONE":
                    report.Done = true;
                    break;
                case "CRASH":
                    report.Crash = line;
                    break;
                case "BADROW":
                    report.BadRows.Add(line);
                    break;
                case "SCANNED":
                    report.Scans[f[1]] = [];
                    break;
                case "SCAN":
                    report.Scans[f[1]][Long(f[2])] = (int)Long(f[3]);
                    break;
                case "LEFTOVER":
                    report.Leftovers.Add(new DiskFullLeftover(f[1], f[2], f[3]));
                    break;
                case "STATE":
                    report.States[f[1]] = f[2];
                    if (f[1] == "freed")
                    {
                        phase = "freed";
                    }

                    break;
                case "REJECTED":
                    report.Rejected.Add(new DiskFullFailure(phase, f[1], f[2], (int)Long(f[3]), f[4], f[5]));
                    break;
                case "FAILED":
                    report.Failed.Add(new DiskFullFailure(phase, f[1], f[2], (int)Long(f[3]), f[4], f[5]));
                    break;
                default:
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        report.Acked.Add(Long(line[4..]));
                    }

                    break;
            }
        }

        return report;
    }

    /// <summary>The value of <paramref name="key"/>, or a failed assertion naming it.</summary>
    public string State(string key)
    {
        Assert.True(States.TryGetValue(key, out string? value), $"the child did not report '{key}'\n{Transcript}");
        return value!;
    }

    private static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);
}
