namespace Banyan.Cli.Tests.Infrastructure;

/// <summary>One run of the CLI's in-process entry point with captured standard output and error (not terminals).</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <paramref name="args"/> with <paramref name="stdin"/> as standard input.</summary>
    public static async Task<CliRun> RunAsync(string[] args, string stdin = "")
    {
        using StringWriter output = new();
        using StringWriter error = new();
        using StringReader input = new(stdin);
        int exit = await BanyanCli.RunAsync(args, new CliConsole(output, error, input, OutIsTerminal: false, ErrorIsTerminal: false));
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Fails with the output when the exit code is not <paramref name="expected"/>.</summary>
    public CliRun Expect(int expected)
    {
        Assert.True(ExitCode == expected, $"exit code {ExitCode}, expected {expected}\nstdout:\n{Out}\nstderr:\n{Error}");
        return this;
    }

    /// <summary>Asserts the run failed with one clear line and no stack trace.</summary>
    public void AssertCleanError(int expectedExit, string contains)
    {
        Expect(expectedExit);
        Assert.Contains(contains, Error, StringComparison.Ordinal);
        Assert.StartsWith("error: ", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", Error, StringComparison.Ordinal);
    }
}
