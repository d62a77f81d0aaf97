using System.Diagnostics;
using Banyan.Cli.Tests.Infrastructure;

namespace Banyan.Cli.Tests;

/// <summary>A server that is not there: one line naming the address, exit code 3, no stack trace; in-process and as a real process.</summary>
[Collection(SharedSilo.Name)]
public sealed class UnreachableServerTests(SiloFixture silo) : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Schema_query_and_write_commands_report_an_unreachable_server_in_one_line()
    {
        string closed = $"http://127.0.0.1:{SiloHostProcess.FreeLoopbackPort()}";
        (await CliRun.RunAsync(["--addr", closed, "group", "list"])).AssertCleanError(3, $"cannot reach the Banyan server at {closed}");
        string query = _files.Write("q.yaml", "name: m\ngroups: [g]\n");
        (await CliRun.RunAsync(["--addr", closed, "measure", "query", "-f", query])).AssertCleanError(3, "cannot reach the Banyan server");

        string rows = _files.Write("rows.jsonl", """{"timestamp":"2026-12-01T10:00:00Z","tagFamilies":[],"fields":[]}""" + "\n");
        CliRun write = await CliRun.RunAsync(["--grpc-addr", closed, "measure", "write", "-f", rows, "-g", "g", "-n", "m"]);
        write.AssertCleanError(3, $"cannot reach the Banyan server at {closed} (gRPC)");
        Assert.Single(write.Error.TrimEnd().Split('\n'));

        CliRun health = await CliRun.RunAsync(["--addr", closed, "--grpc-addr", silo.GrpcAddress, "health"]);
        Assert.Equal(3, health.ExitCode);
        Assert.Contains("UNREACHABLE", health.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", health.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_tool_runs_as_its_own_process()
    {
        string closed = $"http://127.0.0.1:{SiloHostProcess.FreeLoopbackPort()}";
        (int exit, string output, string error) = await RunProcessAsync("--addr", closed, "group", "list");
        Assert.Equal(3, exit);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"error: cannot reach the Banyan server at {closed}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));

        string file = _files.Write("g.yaml", Samples.MeasureGroup("cli_process"));
        (exit, output, error) = await RunProcessAsync("--addr", silo.Address, "group", "create", "-f", file);
        Assert.True(exit == 0, error);
        Assert.Contains("group cli_process is created", output, StringComparison.Ordinal);

        (exit, output, error) = await RunProcessAsync("--addr", silo.Address, "--grpc-addr", silo.GrpcAddress, "health");
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("SERVING", output, StringComparison.Ordinal);
    }

    // dotnet exec of banyan.dll as src/Banyan.Cli builds it (the copy beside the tests shares their folder, where the
    // ASP.NET Core framework of the silo stands in for packages the tool carries itself), bounded in time.
    private static async Task<(int Exit, string Out, string Error)> RunProcessAsync(params string[] args)
    {
        string dll = BuiltTool();
        ProcessStartInfo start = new("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    private static string BuiltTool()
    {
        string testDir = Path.GetDirectoryName(typeof(UnreachableServerTests).Assembly.Location)!;
        string configuration = new DirectoryInfo(testDir).Parent!.Name; // bin/<Configuration>/net10.0
        DirectoryInfo? root = new(testDir);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Banyan.Orleans.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        string dll = Path.Combine(root.FullName, "src", "Banyan.Cli", "bin", configuration, "net10.0", "banyan.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }
}
