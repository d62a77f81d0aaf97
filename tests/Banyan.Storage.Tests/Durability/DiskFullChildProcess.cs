using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Banyan.Storage.Tests.Crash;

namespace Banyan.Storage.Tests.Durability;

/// <summary>
/// Runs one disk-full scenario of <c>Banyan.Storage.CrashChild</c> on a real, small filesystem:
/// <c>unshare --user --map-root-user --mount</c> gives the child a private user and mount
/// namespace (no privileges needed), where a 4 MiB tmpfs is mounted over an empty folder and the
/// child runs in place of the shell. The tmpfs exists only in that namespace and vanishes with the
/// child. The child is killed by its PID if it runs longer than the time limit.
/// </summary>
public static class DiskFullChildProcess
{
    private const string FilesystemSize = "4m";
    private static readonly TimeSpan s_timeLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Requirement stated in every failure to set up the namespace: these tests never pass without
    /// having filled a real filesystem.
    /// </summary>
    public const string Requirement =
        "the disk-full tests need util-linux 'unshare' and 'mount' and either root or unprivileged user namespaces " +
        "(kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, and no AppArmor/SELinux rule blocking them, " +
        "e.g. Ubuntu's kernel.apparmor_restrict_unprivileged_userns=0; in a container: --security-opt seccomp=unconfined or CAP_SYS_ADMIN)";

    /// <summary>Runs <paramref name="scenario"/> with a tmpfs mounted on <paramref name="mountPoint"/> and returns its report.</summary>
    public static DiskFullReport Run(string scenario, string mountPoint)
    {
        Directory.CreateDirectory(mountPoint);
        ProcessStartInfo start = new("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The shell mounts the tmpfs, then replaces itself with the child (same PID as unshare's).
        foreach (string argument in (string[])[
            "--user", "--map-root-user", "--mount", "--", "sh", "-c",
            "mount -t tmpfs -o size=" + FilesystemSize + " banyan-diskfull \"$1\" && shift && exec \"$@\"",
            "sh", mountPoint, CrashChildProcess.DotnetHost(), CrashChildProcess.ChildPath(), "diskfull", mountPoint, scenario])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null for unshare");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"could not start 'unshare' ({ex.Message}): {Requirement}", ex);
        }

        using (process)
        {
            StringBuilder stdout = new();
            StringBuilder stderr = new();
            process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
            process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            bool exited = process.WaitForExit(s_timeLimit);
            if (!exited)
            {
                process.Kill(); // by the PID started: unshare exec'd the shell, which exec'd the child
            }

            process.WaitForExit(); // also drains the redirected streams
            string output;
            string errors;
            lock (stdout)
            {
                output = stdout.ToString();
            }

            lock (stderr)
            {
                errors = stderr.ToString();
            }

            string transcript = $"scenario '{scenario}', exit code {process.ExitCode}\n--- stdout (runs of ACK and SCAN lines condensed) ---\n{Condense(output)}--- stderr ---\n{errors}";
            if (!exited)
            {
                Assert.Fail($"the disk-full child did not finish within {s_timeLimit} and was killed (a hang on a full disk?)\n{transcript}");
            }

            if (!output.Contains("STATE\tmount.totalBytes", StringComparison.Ordinal))
            {
                Assert.Fail($"the tmpfs could not be mounted in a private namespace: {Requirement}\n{transcript}");
            }

            return DiskFullReport.Parse(output, transcript);
        }
    }

    // "ACK 1".."ACK 30" becomes "ACK 1..30", and "SCAN p 1 40".."SCAN p 30 40" becomes "SCAN p 1..30 40",
    // so a failure message shows the whole run at a glance.
    private static string Condense(string output)
    {
        StringBuilder condensed = new();
        string? runKey = null;
        long runFirst = 0;
        long runLast = 0;
        string runSuffix = "";
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(line.StartsWith("ACK ", StringComparison.Ordinal) ? ' ' : '\t');
            bool numbered = (f[0] == "ACK" && f.Length == 2) || (f[0] == "SCAN" && f.Length == 4);
            if (numbered && long.TryParse(f[f[0] == "ACK" ? 1 : 2], System.Globalization.CultureInfo.InvariantCulture, out long n))
            {
                string key = f[0] == "ACK" ? "ACK" : "SCAN\t" + f[1];
                string suffix = f[0] == "ACK" ? "" : "\t" + f[3];
                if (key == runKey && suffix == runSuffix && n == runLast + 1)
                {
                    runLast = n;
                    continue;
                }

                EndRun();
                (runKey, runFirst, runLast, runSuffix) = (key, n, n, suffix);
                continue;
            }

            EndRun();
            condensed.Append(line).Append('\n');
        }

        EndRun();
        return condensed.ToString();

        void EndRun()
        {
            if (runKey is not null)
            {
                string range = runFirst == runLast ? $"{runFirst}" : $"{runFirst}..{runLast}";
                condensed.Append(runKey).Append(runKey == "ACK" ? " " : "\t").Append(range).Append(runSuffix).Append('\n');
                runKey = null;
            }
        }
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.Append(line).Append('\n');
        }
    }
}
