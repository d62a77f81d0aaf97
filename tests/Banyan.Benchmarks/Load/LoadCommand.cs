using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Net.Client;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// <c>load [options]</c>: gen.py's dataset (<see cref="PeerDataset"/>) written as BanyanDB measure data points over
/// <c>MeasureService/Write</c> into a real silo this command starts on a fresh data folder (WAL on, 127.0.0.1), then
/// measured the way <c>shared/bench/peers/bench.py</c> measures its peers: data points/s acknowledged, silo CPU per
/// point (<c>/proc/&lt;pid&gt;/stat</c>), bytes per point on disk after a settle and after a graceful stop, peak RSS
/// (<c>VmHWM</c>). Options: <see cref="LoadOptions.Usage"/>.
/// </summary>
public static class LoadCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    /// <summary>Runs the command; 0 when every point was acknowledged with <c>STATUS_SUCCEED</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string data = options.DataFolder ?? Path.Combine(Path.GetTempPath(), "banyan-load-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
        {
            Console.Error.WriteLine($"--data {data}: the folder is not empty; the load command needs a fresh one");
            return 2;
        }

        try
        {
            return await RunCoreAsync(options, data);
        }
        finally
        {
            if (!options.Keep && Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static async Task<int> RunCoreAsync(LoadOptions options, string data)
    {
        Stopwatch generating = Stopwatch.StartNew();
        PeerDataset dataset = new(options.Series, options.Points, options.Seed);
        generating.Stop();
        long points = dataset.Samples;
        Console.WriteLine(Str($"load: {options.Series:N0} series × {options.Points} points = {points:N0} data points (seed {options.Seed}, generated in {generating.Elapsed.TotalSeconds:F1} s), {options.Streams} streams ({ClientName(options)}), {options.Shards} shards, data {data}"));
        Console.WriteLine(Str($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}"));

        Dictionary<string, string> environment = new(options.SiloEnvironment, StringComparer.Ordinal);
        if (environment.Count > 0)
        {
            Console.WriteLine("silo environment: " + string.Join(' ', environment.Select(e => e.Key + "=" + e.Value)));
        }

        if (options.PerfFile is not null || options.PerfQueriesFile is not null)
        {
            environment["DOTNET_PerfMapEnabled"] = "1";
            environment["DOTNET_EnableWriteXorExecute"] = "0"; // JIT code in plain anonymous memory, so perf finds it in the map
        }

        List<PeerQueryResult> results = [];
        LoadReport report = new() { Series = options.Series, Points = options.Points, DataPoints = points, Streams = options.Streams, Client = ClientName(options), Shards = (int)options.Shards, LoadAverageBefore = LoadAverage() };
        if (options.QueriesOn is { } kept)
        {
            CopyFolder(kept, data);
            Console.WriteLine($"queries on a copy of {kept}: no write phase");
        }
        else
        {
            results.AddRange(await WriteAndStopAsync(options, data, dataset, environment, report));
        }

        // Queries on a restarted silo: what was acknowledged and flushed is read back from disk.
        Stopwatch restarting = Stopwatch.StartNew();
        await using (SiloChild silo = await SiloChild.StartAsync(options.SiloDll, data, environment, options.SiloArguments, TimeSpan.FromSeconds(120)))
        {
            report.RestartSeconds = restarting.Elapsed.TotalSeconds;
            using GrpcChannel channel = GrpcChannel.ForAddress(silo.GrpcAddress);
            using CancellationTokenSource bound = new(options.Timeout);
            PeerQueries queries = new(dataset);
            report.VisiblePoints = await queries.CountVisibleAsync(channel, bound.Token);
            Console.WriteLine(Str($"restart: serving after {report.RestartSeconds:F1} s; {report.VisiblePoints:N0} data points visible (expected {points:N0})"));
            using Process? perf = options.PerfQueriesFile is null ? null : StartPerf(silo.Pid, options.PerfQueriesFile);
            using Process? allocTrace = options.AllocTraceQueriesFile is null ? null : StartAllocTrace(silo.Pid, options.AllocTraceQueriesFile);
            Uri http = new($"http://127.0.0.1:{silo.HttpPort}/");
            results.InsertRange(0, await queries.RunAsync(channel, http, options.Warmup, options.QueryRuns, bound.Token, options.QueryNames, silo.CpuSeconds));
            if (options.Warm > 0 || options.WarmSeconds > 0)
            {
                // The three peer queries once the silo's JIT has had its time: the runs above are the first after a start.
                HashSet<string> peerQueries = ["Q1", "Q2", "Q3"];
                peerQueries.IntersectWith(options.QueryNames ?? peerQueries);
                if (options.WarmSeconds > 0)
                {
                    int cycles = await queries.KeepBusyAsync(channel, TimeSpan.FromSeconds(options.WarmSeconds), peerQueries, bound.Token);
                    Console.WriteLine(Str($"warm: {options.WarmSeconds} s of untimed queries ({cycles:N0} rounds of {string.Join(", ", peerQueries.Order())})"));
                }

                IReadOnlyList<PeerQueryResult> warm = await queries.RunAsync(channel, http, options.Warm, options.QueryRuns, bound.Token, peerQueries, silo.CpuSeconds);
                results.AddRange(warm.Select(r => r with { Name = r.Name + " warm" }));
            }

            if (perf is not null)
            {
                await StopPerfAsync(perf);
            }

            if (allocTrace is not null)
            {
                await StopPerfAsync(allocTrace);
                Console.WriteLine($"alloc-trace: {options.AllocTraceQueriesFile} (read it with: alloc-report {options.AllocTraceQueriesFile})");
            }

            report.Queries = [.. results.Select(r => new QueryFigures(r.Name, r.Median, r.P99, r.Correct, r.Detail, r.Milliseconds, r.ServerCpuMs, r.ClientCpuMs))];
            foreach (PeerQueryResult r in results)
            {
                Console.WriteLine(r.Milliseconds.Count == 0 ? Str($"{r.Name}: {r.Detail}") : Str($"{r.Name}: median {r.Median:F2} ms, p99 {r.P99:F2} ms over {r.Milliseconds.Count} runs (CPU per run: silo {r.ServerCpuMs:F2} ms, load generator {r.ClientCpuMs:F2} ms); answer {(r.Correct ? "correct" : "WRONG")} ({r.Detail})"));
            }

            report.QueryPeakRssBytes = silo.PeakRssBytes();
            Console.WriteLine(Str($"restarted silo peak RSS (VmHWM) after the queries {report.QueryPeakRssBytes / 1048576.0:F0} MiB"));
            await silo.StopAsync(TimeSpan.FromSeconds(120));
        }

        report.LoadAverageAfter = LoadAverage();
        if (options.JsonFile is not null)
        {
            await File.WriteAllTextAsync(options.JsonFile, JsonSerializer.Serialize(report, s_json));
        }

        bool right = report.Failed == 0 && (options.QueriesOn is not null || report.Acknowledged == points) && report.VisiblePoints == points
            && (!options.QueriesBeforeRestart || report.VisiblePointsIngested == points) && report.Queries!.All(q => q.Correct);
        Console.WriteLine(right ? "load: every point acknowledged and visible, every answer correct" : "load: FAILED (see above)");
        return right ? 0 : 1;
    }

    // The write phase: a silo on the fresh folder, the schema, the dataset over the write streams, the settle and a
    // graceful stop, each measured into the report. Returns the queries run on that silo before its stop (--queries-before-restart).
    private static async Task<IReadOnlyList<PeerQueryResult>> WriteAndStopAsync(LoadOptions options, string data, PeerDataset dataset, Dictionary<string, string> environment, LoadReport report)
    {
        long points = dataset.Samples;
        await using (SiloChild silo = await SiloChild.StartAsync(options.SiloDll, data, environment, options.SiloArguments, TimeSpan.FromSeconds(120)))
        {
            Console.WriteLine(Str($"silo: pid {silo.Pid}, gRPC {silo.GrpcAddress}"));
            using GrpcChannel channel = GrpcChannel.ForAddress(silo.GrpcAddress);
            using CancellationTokenSource bound = new(options.Timeout);
            if (options.WriteWarmup > 0)
            {
                await WarmUpAsync(options, silo, channel, report, bound.Token);
            }

            await PeerSchema.CreateAsync(channel, options.Shards, options.TtlDays, options.Points, bound.Token);

            LoadWriter writer = new(dataset, options.Streams, options.Client, options.FlushEvery);
            writer.Prepare();
            using Process? perf = options.PerfFile is null ? null : StartPerf(silo.Pid, options.PerfFile);
            using Process? allocTrace = options.AllocTraceFile is null ? null : StartAllocTrace(silo.Pid, options.AllocTraceFile);
            ProcessStat server0 = silo.Stat();
            TimeSpan clientCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            Stopwatch writing = Stopwatch.StartNew();
            LoadWriteResult written = await writer.WriteAsync(channel, silo.GrpcAddress, bound.Token);
            writing.Stop();
            ProcessStat server1 = silo.Stat();
            TimeSpan clientCpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            if (perf is not null)
            {
                await StopPerfAsync(perf);
            }

            if (allocTrace is not null)
            {
                await StopPerfAsync(allocTrace); // dotnet-trace ends its session on SIGINT as perf does
                Console.WriteLine($"alloc-trace: {options.AllocTraceFile} (read it with: alloc-report {options.AllocTraceFile})");
            }

            report.IngestSeconds = writing.Elapsed.TotalSeconds;
            report.PointsPerSecond = points / writing.Elapsed.TotalSeconds;
            report.ServerCpuSeconds = server1.CpuSeconds - server0.CpuSeconds;
            report.ClientCpuSeconds = (clientCpu1 - clientCpu0).TotalSeconds;
            report.ServerMinorFaults = server1.MinorFaults - server0.MinorFaults;
            report.Acknowledged = written.Succeeded;
            report.Failed = written.Failed;
            Console.WriteLine(Str($"write: {written.Sent:N0} sent, {written.Succeeded:N0} STATUS_SUCCEED, {written.Failed:N0} other{(written.FirstFailure is null ? string.Empty : " (first: " + written.FirstFailure + ")")}"));
            if (written.Failed > 0)
            {
                // The response carries only a status; the silo's log says why.
                PrintSiloProblems(silo.Problems(IsProblem), "write: the silo's last warnings and errors:");
            }

            Console.WriteLine(Str($"write: {report.IngestSeconds:F2} s until the last acknowledgement = {report.PointsPerSecond:N0} data points/s; silo CPU {report.ServerCpuSeconds:F2} s = {report.ServerCpuSeconds * 1e9 / points:F0} ns/point; load generator CPU {report.ClientCpuSeconds:F2} s = {report.ClientCpuSeconds * 1e9 / points:F0} ns/point; silo page faults {report.ServerMinorFaults:N0} ({report.ServerMinorFaults * (double)Environment.SystemPageSize / points:F0} B/point)"));

            Stopwatch settling = Stopwatch.StartNew();
            bool settled = await DataFolderQuiet.WaitAsync(data, options.SettleQuiet, options.SettleMax);
            report.SettleSeconds = settling.Elapsed.TotalSeconds;
            report.SettleCpuSeconds = silo.CpuSeconds() - server1.CpuSeconds;
            DiskUsage running = DiskUsage.Of(data);
            report.DiskAllocatedRunning = running.Allocated;
            report.DiskApparentRunning = running.Apparent;
            report.PeakRssBytes = silo.PeakRssBytes();
            Console.WriteLine(Str($"settle: {(settled ? "quiet" : "still changing")} after {report.SettleSeconds:F1} s (silo CPU {report.SettleCpuSeconds:F2} s); running: {running.Describe(points)}"));
            IReadOnlyList<PeerQueryResult> ingested = options.QueriesBeforeRestart ? await QueryIngestedAsync(options, silo, channel, dataset, report, bound.Token) : [];

            Stopwatch stopping = Stopwatch.StartNew();
            bool clean = await silo.StopAsync(TimeSpan.FromSeconds(120));
            report.StopSeconds = stopping.Elapsed.TotalSeconds;
            DiskUsage stopped = DiskUsage.Of(data);
            report.DiskAllocatedStopped = stopped.Allocated;
            report.DiskApparentStopped = stopped.Apparent;
            report.DiskByKindStopped = stopped.ApparentByKind;
            Console.WriteLine(Str($"stop: {(clean ? "graceful" : "NOT graceful (killed)")} in {report.StopSeconds:F1} s; stopped: {stopped.Describe(points)}"));
            Console.WriteLine(Str($"silo peak RSS (VmHWM) {report.PeakRssBytes / 1048576.0:F0} MiB"));
            report.SiloWarnings = silo.Problems();
            PrintSiloProblems(report.SiloWarnings, "silo log: warnings and errors of the silo that took the writes (the last 20):");
            return ingested;
        }
    }

    // Q1-Q3 on the silo that took the writes, as bench.py queries a peer after its ingest and settle: the visible count,
    // then the untimed and the timed runs, the process not restarted (VictoriaMetrics' figures are taken that way).
    private static async Task<IReadOnlyList<PeerQueryResult>> QueryIngestedAsync(LoadOptions options, SiloChild silo, GrpcChannel channel, PeerDataset dataset, LoadReport report, CancellationToken cancellationToken)
    {
        PeerQueries queries = new(dataset);
        report.VisiblePointsIngested = await queries.CountVisibleAsync(channel, cancellationToken);
        HashSet<string> peerQueries = ["Q1", "Q2", "Q3"];
        peerQueries.IntersectWith(options.QueryNames ?? peerQueries);
        Uri http = new($"http://127.0.0.1:{silo.HttpPort}/");
        IReadOnlyList<PeerQueryResult> results = await queries.RunAsync(channel, http, options.Warmup, options.QueryRuns, cancellationToken, peerQueries, silo.CpuSeconds);
        Console.WriteLine(Str($"queries on the silo that took the writes: {report.VisiblePointsIngested:N0} data points visible, then {options.Warmup} untimed and {options.QueryRuns} timed runs of {string.Join(", ", peerQueries.Order())}"));
        return [.. results.Select(r => r with { Name = r.Name + " ingested" })];
    }

    // The untimed warm-up writes (WarmupWrites), reported apart from the timed phase.
    private static async Task WarmUpAsync(LoadOptions options, SiloChild silo, GrpcChannel channel, LoadReport report, CancellationToken cancellationToken)
    {
        PeerDataset warmup = WarmupWrites.Dataset(options.Series, options.WriteWarmup, options.Seed);
        LoadWriter writer = new(warmup, options.Streams, options.Client, options.FlushEvery, PeerSchema.WarmupGroup);
        writer.Prepare();
        WarmupResult result = await WarmupWrites.RunAsync(silo, channel, writer, warmup, options.Shards, options.TtlDays, cancellationToken);
        report.WarmupPoints = result.Points;
        report.WarmupPointsPerSecond = result.Points / result.Seconds;
        report.WarmupServerNsPerPoint = result.SiloCpuSeconds * 1e9 / result.Points;
        Console.WriteLine(Str($"warm-up: {result.Points:N0} data points into group {PeerSchema.WarmupGroup} in {result.Seconds:F2} s ({report.WarmupPointsPerSecond:N0} data points/s, silo {report.WarmupServerNsPerPoint:F0} ns/point), group deleted, {(result.Settled ? "quiet" : "still changing")} after it"));
    }

    /// <summary>Copies a kept data folder (every file and folder under <paramref name="from"/>) to <paramref name="to"/>.</summary>
    internal static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        }

        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static Process StartPerf(int pid, string file)
    {
        ProcessStartInfo info = new("perf", ["record", "-F", "499", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file]) { UseShellExecute = false, RedirectStandardError = true };
        Process perf = Process.Start(info) ?? throw new InvalidOperationException("cannot start perf");
        _ = perf.StandardError.ReadToEndAsync();
        Thread.Sleep(500); // perf attaches before the first write
        return perf;
    }

    // The runtime's allocation samples (the GC keyword at verbose level: one event per about 100 KB allocated, with its
    // type and stack) of the silo, until StopPerfAsync. dotnet-trace is a .NET global tool, so it is looked for on PATH
    // and where `dotnet tool install -g` puts it.
    private static Process StartAllocTrace(int pid, string file)
    {
        string tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        string tool = File.Exists(tools) ? tools : "dotnet-trace";
        ProcessStartInfo info = new(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--providers", "Microsoft-Windows-DotNETRuntime:0x1:5", "-o", file])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        Process trace;
        try
        {
            trace = Process.Start(info) ?? throw new InvalidOperationException("cannot start dotnet-trace");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("--alloc-trace needs dotnet-trace (dotnet tool install -g dotnet-trace)", e);
        }

        _ = trace.StandardOutput.ReadToEndAsync();
        _ = trace.StandardError.ReadToEndAsync();
        Thread.Sleep(1000); // the session is open before the first write
        return trace;
    }

    private static async Task StopPerfAsync(Process perf)
    {
        using (Process kill = Process.Start(new ProcessStartInfo("kill", ["-INT", perf.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        try
        {
            await perf.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            perf.Kill();
        }
    }

    // A run whose silo logged warnings or errors measured something else than the writes alone (a failing timer, a
    // retried flush): they are printed whether or not a write failed.
    private static void PrintSiloProblems(List<string> problems, string heading)
    {
        if (problems.Count == 0)
        {
            return;
        }

        Console.WriteLine(heading);
        foreach (string problem in problems.TakeLast(20))
        {
            Console.WriteLine("  | " + problem);
        }
    }

    private static bool IsProblem(string line)
        => line.Contains("warn", StringComparison.OrdinalIgnoreCase) || line.Contains("fail", StringComparison.OrdinalIgnoreCase)
        || line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("exception", StringComparison.OrdinalIgnoreCase)
        || line.Contains("timeout", StringComparison.OrdinalIgnoreCase) || line.Contains("timed out", StringComparison.OrdinalIgnoreCase);

    /// <summary>The machine's load averages over 1, 5 and 15 minutes.</summary>
    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string ClientName(LoadOptions options)
        => options.Client switch
        {
            LoadClient.GrpcDotnet => "grpc-dotnet",
            LoadClient.Prepared => $"prepared: encoded before the timed phase, {options.FlushEvery} messages per write",
            _ => $"coalescing, {options.FlushEvery} messages per write",
        };
}
