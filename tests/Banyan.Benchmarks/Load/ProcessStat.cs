using System.Globalization;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// Counters of a process from <c>/proc/&lt;pid&gt;/stat</c> (Linux; see proc(5)). The file's second field is the
/// command name in parentheses, which may itself hold spaces and parentheses, so the fields are counted from the last
/// ')' onwards: field 3 (the state) is the first after it.
/// </summary>
public readonly struct ProcessStat
{
    // USER_HZ: the unit of utime/stime, fixed at 100 by the Linux ABI.
    private const double ClockTicksPerSecond = 100.0;

    private readonly string[] _fields;

    private ProcessStat(string[] fields) => _fields = fields;

    /// <summary>Minor page faults so far (field 10): pages the process touched for the first time since they were mapped or given back.</summary>
    public long MinorFaults => Field(10);

    /// <summary>User + system CPU seconds so far (fields 14 and 15).</summary>
    public double CpuSeconds => (Field(14) + Field(15)) / ClockTicksPerSecond;

    /// <summary>Reads the counters of process <paramref name="pid"/> now.</summary>
    public static ProcessStat Of(int pid) => Parse(File.ReadAllText($"/proc/{pid}/stat"));

    /// <summary>The counters of one <c>stat</c> line.</summary>
    public static ProcessStat Parse(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            throw new FormatException("not a /proc/<pid>/stat line: no ')' after the command name");
        }

        return new ProcessStat(stat[(close + 2)..].Split(' '));
    }

    // Field numbers as proc(5) gives them (1 = the pid, 3 = the state, the first after the command name).
    private long Field(int number) => long.Parse(_fields[number - 3], CultureInfo.InvariantCulture);
}
