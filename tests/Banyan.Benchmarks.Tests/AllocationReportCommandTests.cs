namespace Banyan.Benchmarks.Tests;

/// <summary>The allocation report refuses what it cannot read with a usage line instead of an exception.</summary>
public sealed class AllocationReportCommandTests
{
    [Fact]
    public void A_missing_file_or_a_bad_option_is_refused_with_exit_code_2()
    {
        Assert.Equal(2, AllocationReportCommand.Run([]));
        Assert.Equal(2, AllocationReportCommand.Run([Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".nettrace")]));
        string file = Path.GetTempFileName();
        try
        {
            Assert.Equal(2, AllocationReportCommand.Run([file, "--depth", "0"]));
            Assert.Equal(2, AllocationReportCommand.Run([file, "--width", "3"]));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
