using System.Diagnostics;
using System.Reflection;

namespace Banyan.Storage.Tests.Crash;

/// <summary>
/// Runs <c>Banyan.Storage.CrashChild</c>, collects the values it acknowledges, and kills it with
/// SIGKILL (by the PID this class started) after a given time.
/// </summary>
public static class CrashChildProcess
{
    internal static string ChildPath()
    {
        foreach (AssemblyMetadataAttribute attribute in typeof(CrashChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == "CrashChildPath" && attribute.Value is not null)
            {
                string path = Path.GetFullPath(attribute.Value);
                if (File.Exists(path))
                {
                    return path;
                }

                throw new FileNotFoundException($"crash child not built at '{path}'; build the solution first", path);
            }
        }

        throw new InvalidOperationException("bug: the test assembly lacks the CrashChildPath metadata");
    }

    internal static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Starts the child with <paramref name="arguments"/>, waits for READY, lets it run for
    /// <paramref name="runFor"/>, kills it, and returns every value it acknowledged.
    /// </summary>
    public static List<long> RunAndKill(IReadOnlyList<string> arguments, TimeSpan runFor, TimeSpan readyTimeout) =>
        Run(arguments, runFor, readyTimeout).Acknowledged;

    /// <summary>
    /// Starts the child with <paramref name="arguments"/> (which may name a kill point), lets it run
    /// for <paramref name="runFor"/> after READY, kills it unless it killed itself at its kill point, and
    /// returns what it acknowledged and where it killed itself. A child that exits without reaching its
    /// kill point fails the test.
    /// </summary>
    public static ChildRun Run(IReadOnlyList<string> arguments, TimeSpan runFor, TimeSpan readyTimeout)
    {
        ProcessStartInfo start = new(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildPath());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        List<long> acked = [];
        string? killPoint = null;
        using ManualResetEventSlim ready = new();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        System.Text.StringBuilder errors = new();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        Thread reader = new(() =>
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                if (line == "READY")
                {
                    ready.Set();
                }
                else if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    lock (acked)
                    {
                        acked.Add(long.Parse(line.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                else if (line.StartsWith("KILLPOINT ", StringComparison.Ordinal))
                {
                    Volatile.Write(ref killPoint, line["KILLPOINT ".Length..]);
                }
            }
        })
        { IsBackground = true };
        reader.Start();
        try
        {
            // READY, or an exit (a kill point during Shard.Open ends the child before READY).
            Stopwatch waited = Stopwatch.StartNew();
            while (!ready.Wait(20) && !process.HasExited)
            {
                if (waited.Elapsed > readyTimeout)
                {
                    throw new InvalidOperationException($"crash child did not get ready within {readyTimeout}; stderr: {Errors(errors)}");
                }
            }

            if (!process.HasExited)
            {
                process.WaitForExit(runFor);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(); // SIGKILL on Unix: no finalizers, no flush, like a power cut for the process
            }

            process.WaitForExit();
        }

        reader.Join();
        string? point = Volatile.Read(ref killPoint);
        if (process.ExitCode != 137 && point is null)
        {
            throw new InvalidOperationException($"crash child exited by itself with code {process.ExitCode} (ready: {ready.IsSet}); stderr: {Errors(errors)}");
        }

        lock (acked)
        {
            return new ChildRun([.. acked], point);
        }
    }

    private static string Errors(System.Text.StringBuilder errors)
    {
        lock (errors)
        {
            return errors.ToString();
        }
    }

    /// <summary>What one child run acknowledged, and the kill point it killed itself at (null when the test killed it).</summary>
    public sealed record ChildRun(List<long> Acknowledged, string? KillPoint);

    /// <summary>Number of kill rounds: the default, or more with BANYAN_LONG_TESTS=1.</summary>
    public static int Rounds(int normal, int longRun)
        => Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1" ? longRun : normal;
}
