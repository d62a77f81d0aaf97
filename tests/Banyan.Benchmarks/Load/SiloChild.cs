using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// The real silo executable (<c>dotnet Banyan.Silo.dll</c>) as a child process of the load command: its own data
/// folder and free ports on 127.0.0.1, started healthy within a bound, measured through <c>/proc/&lt;pid&gt;</c>, and
/// stopped by the PID it was started with (SIGTERM, then SIGKILL after a bound), never by name.
/// </summary>
public sealed class SiloChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    // BANYAN_LOAD_SILO_LOG=FILE: every line every silo of this process prints is also appended there, prefixed by its
    // PID (the kept lines are the last 2,000 only, and a write phase's warnings can be more).
    private static readonly StreamWriter? s_log = Environment.GetEnvironmentVariable("BANYAN_LOAD_SILO_LOG") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true }
        : null;

    private SiloChild(Process process, string dataRoot, int httpPort, int grpcPort)
    {
        _process = process;
        DataRoot = dataRoot;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
    }

    /// <summary>The PID.</summary>
    public int Pid => _process.Id;

    /// <summary>The data folder the silo was started on.</summary>
    public string DataRoot { get; }

    /// <summary>The HTTP port (<c>/api/healthz</c>).</summary>
    public int HttpPort { get; }

    /// <summary>The gRPC port.</summary>
    public int GrpcPort { get; }

    /// <summary>The gRPC address.</summary>
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>The last lines the silo printed (for failure messages).</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(60));

    /// <summary>Every line the silo printed that is still kept (the last 2,000).</summary>
    public IEnumerable<string> OutputLines => _output;

    /// <summary>
    /// The kept lines <paramref name="isProblem"/> picks (by default the console logger's warnings, errors and critical
    /// entries), each with the message on the line after it.
    /// </summary>
    public List<string> Problems(Func<string, bool>? isProblem = null)
    {
        isProblem ??= IsLoggedWarning;
        string[] lines = [.. _output];
        List<string> problems = [];
        for (int i = 0; i < lines.Length; i++)
        {
            if (isProblem(lines[i]))
            {
                problems.Add(lines[i] + (i + 1 < lines.Length && lines[i + 1].StartsWith(' ') ? " " + lines[i + 1].Trim() : string.Empty));
            }
        }

        return problems;
    }

    /// <summary>
    /// "logged N warnings or errors; the last: …" for a silo that logged any (<see cref="Problems"/>), else null: the line
    /// the pair commands print per side, since such a silo did other work than the work measured.
    /// </summary>
    public string? ProblemSummary()
        => Problems() is { Count: > 0 } problems
            ? string.Create(CultureInfo.InvariantCulture, $"logged {problems.Count} warnings or errors; the last: {problems[^1]}")
            : null;

    // What the console logger starts a warning, an error or a critical entry with ("warn: Category[id]", the message on
    // the next line).
    private static bool IsLoggedWarning(string line)
        => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);

    /// <summary>Starts the silo on <paramref name="dataRoot"/> and waits (bounded) until <c>/api/healthz</c> answers SERVING.</summary>
    /// <param name="siloDll">The built <c>Banyan.Silo.dll</c>.</param>
    /// <param name="dataRoot">The data folder (created if missing).</param>
    /// <param name="environment">Extra environment variables for the silo (e.g. <c>DOTNET_PerfMapEnabled=1</c>).</param>
    /// <param name="extraArguments">Extra configuration overrides (<c>--Silo:Key=value</c>).</param>
    /// <param name="timeout">How long it may take to serve.</param>
    public static async Task<SiloChild> StartAsync(string siloDll, string dataRoot, IReadOnlyDictionary<string, string> environment, IEnumerable<string> extraArguments, TimeSpan timeout)
    {
        if (!File.Exists(siloDll))
        {
            throw new FileNotFoundException($"the silo executable '{siloDll}' does not exist; build src/Banyan.Silo in the same configuration or pass --silo", siloDll);
        }

        // The silo runs in its data folder: a path relative to this command's folder would not be found from there.
        siloDll = Path.GetFullPath(siloDll);

        Directory.CreateDirectory(dataRoot);
        int siloPort = FreePort(), gatewayPort = FreePort(), httpPort = FreePort(), grpcPort = FreePort();
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ProcessStartInfo info = new(dotnet)
        {
            WorkingDirectory = dataRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            siloDll,
            "--Silo:NodeName=load-node",
            $"--Silo:DataRoot={dataRoot}",
            Str($"--Silo:SiloPort={siloPort}"),
            Str($"--Silo:GatewayPort={gatewayPort}"),
            Str($"--Silo:HttpUrl=http://127.0.0.1:{httpPort}"),
            Str($"--Silo:GrpcUrl=http://127.0.0.1:{grpcPort}"),
            "--Silo:AdvertisedAddress=127.0.0.1",
        }.Concat(extraArguments))
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dotnet} {siloDll}");
        SiloChild silo = new(process, dataRoot, httpPort, grpcPort);
        process.OutputDataReceived += (_, e) => silo.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo.WaitServingAsync(timeout);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>User + system CPU seconds of the silo process so far (<see cref="ProcessStat.CpuSeconds"/>).</summary>
    public double CpuSeconds() => ProcessStat.Of(Pid).CpuSeconds;

    /// <summary>
    /// The silo process's counters now, CPU and minor page faults from one read (<see cref="ProcessStat"/>): a fault is a
    /// page the silo touched for the first time, which the kernel zeroes first.
    /// </summary>
    public ProcessStat Stat() => ProcessStat.Of(Pid);

    /// <summary>Peak resident set size so far, bytes (<c>VmHWM</c> of <c>/proc/&lt;pid&gt;/status</c>).</summary>
    public long PeakRssBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>Resident set size now, bytes (<c>VmRSS</c>).</summary>
    public long RssBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>
    /// Graceful stop: SIGTERM to the PID (the host deactivates its grains, so shards flush), waiting up to
    /// <paramref name="timeout"/>, then SIGKILL. Returns whether it exited by itself, with code 0.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode == 0;
        }

        using (Process kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode == 0;
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private long StatusKilobytes(string key)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{Pid}/status has no {key}");
    }

    private async Task WaitServingAsync(TimeSpan timeout)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
        Stopwatch waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with code {_process.ExitCode} before serving:\n{RecentOutput}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/api/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the silo did not serve /api/healthz within {timeout}:\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (s_log is not null)
        {
            lock (s_log)
            {
                s_log.WriteLine(Str($"[{Pid}] {line}"));
            }
        }

        _output.Enqueue(line);
        while (_output.Count > 2000 && _output.TryDequeue(out _))
        {
        }
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // Below the kernel's ephemeral range: a port-0 pick could be taken by an outgoing connection before the silo binds it.
    private static int FreePort() => Banyan.Tests.Shared.Hosting.LoopbackPorts.Free();
}
