using System.Runtime.InteropServices;
using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>The load command's process counters: the right fields of <c>/proc/&lt;pid&gt;/stat</c>.</summary>
public sealed class ProcessStatTests
{
    // A stat line as proc(5) describes it, with a command name that holds a space and a ')' (it is the part in
    // parentheses, so fields are counted from the last one): minflt 1234 (field 10), majflt 5 (12), utime 250 and
    // stime 150 ticks (14, 15).
    private const string Line = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1234 0 5 0 250 150 0 0 20 0 9 0 100 1000 200";

    [Fact]
    public void Fields_are_counted_after_the_command_name_however_it_is_spelled()
    {
        ProcessStat stat = ProcessStat.Parse(Line);

        Assert.Equal(1234, stat.MinorFaults);
        Assert.Equal(4.0, stat.CpuSeconds, 9);
    }

    [Fact]
    public void A_line_without_a_command_name_is_refused()
    {
        Assert.Throws<FormatException>(() => ProcessStat.Parse("4242 cmd S 1"));
    }

    [SkippableFact]
    public void Touching_fresh_memory_counts_a_fault_for_each_page()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/proc/<pid>/stat is Linux's");
        // 48 MiB: above glibc's largest threshold for serving an allocation from its heap (32 MiB on 64-bit, which it
        // moves up to after freeing a mapped chunk), so malloc maps it afresh and each page written faults once.
        int pageSize = Environment.SystemPageSize;
        int pages = (48 << 20) / pageSize;
        long before = ProcessStat.Of(Environment.ProcessId).MinorFaults;
        IntPtr memory = Marshal.AllocHGlobal(pages * pageSize);
        try
        {
            for (int page = 0; page < pages; page++)
            {
                Marshal.WriteByte(memory, page * pageSize, 1);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(memory);
        }

        long after = ProcessStat.Of(Environment.ProcessId).MinorFaults;
        Assert.InRange(after - before, pages, long.MaxValue);
    }
}
