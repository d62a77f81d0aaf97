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
    public static List<long> RunAndKill(IReadOnlyList<string> arguments, TimeSpan runFor, TimeSpan readyTimeout)
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
            }
        })
        { IsBackground = true };
        reader.Start();
        try
        {
            if (!ready.Wait(readyTimeout))
            {
                string stderr;
                lock (errors)
                {
                    stderr = errors.ToString();
                }

                throw new InvalidOperationException($"crash child did not get ready within {readyTimeout} (exited: {process.HasExited}); stderr: {stderr}");
            }

            if (process.WaitForExit(runFor))
            {
                throw new InvalidOperationException($"crash child exited by itself with code {process.ExitCode}; stderr: {errors}");
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
        lock (acked)
        {
            return [.. acked];
        }
    }

    /// <summary>Number of kill rounds: the default, or more with BANYAN_LONG_TESTS=1.</summary>
    public static int Rounds(int normal, int longRun)
        => Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1" ? longRun : normal;
}
