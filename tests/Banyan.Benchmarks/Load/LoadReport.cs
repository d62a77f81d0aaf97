namespace Banyan.Benchmarks.Load;

/// <summary>The figures of one <c>load</c> run, as written by <c>--json</c> (read by <c>peers-side-by-side.sh</c>).</summary>
public sealed class LoadReport
{
    /// <summary>Series.</summary>
    public int Series { get; set; }

    /// <summary>Points per series.</summary>
    public int Points { get; set; }

    /// <summary>Data points written (series × points).</summary>
    public long DataPoints { get; set; }

    /// <summary>Concurrent write streams.</summary>
    public int Streams { get; set; }

    /// <summary>The load generator's write client (<c>--client</c>).</summary>
    public string Client { get; set; } = string.Empty;

    /// <summary>Shards of the group.</summary>
    public int Shards { get; set; }

    /// <summary>Responses with <c>STATUS_SUCCEED</c>.</summary>
    public long Acknowledged { get; set; }

    /// <summary>Responses with another status.</summary>
    public long Failed { get; set; }

    /// <summary>Seconds from the first message sent to the last response received.</summary>
    public double IngestSeconds { get; set; }

    /// <summary>Data points / <see cref="IngestSeconds"/>.</summary>
    public double PointsPerSecond { get; set; }

    /// <summary>Silo CPU seconds (user + system) during the write phase.</summary>
    public double ServerCpuSeconds { get; set; }

    /// <summary>Load generator (this process) CPU seconds during the write phase.</summary>
    public double ClientCpuSeconds { get; set; }

    /// <summary>Minor page faults of the silo during the write phase (pages it touched fresh, <see cref="Environment.SystemPageSize"/> bytes each).</summary>
    public long ServerMinorFaults { get; set; }

    /// <summary>Seconds until the data folder stopped changing.</summary>
    public double SettleSeconds { get; set; }

    /// <summary>Silo CPU seconds during the settle phase (flushes, merges).</summary>
    public double SettleCpuSeconds { get; set; }

    /// <summary>Seconds the graceful stop took.</summary>
    public double StopSeconds { get; set; }

    /// <summary>Allocated bytes of the data folder after the settle, silo running.</summary>
    public long DiskAllocatedRunning { get; set; }

    /// <summary>Apparent bytes of the data folder after the settle, silo running.</summary>
    public long DiskApparentRunning { get; set; }

    /// <summary>Allocated bytes of the data folder after the graceful stop.</summary>
    public long DiskAllocatedStopped { get; set; }

    /// <summary>Apparent bytes of the data folder after the graceful stop.</summary>
    public long DiskApparentStopped { get; set; }

    /// <summary>Apparent bytes after the stop, by kind of file.</summary>
    public IReadOnlyDictionary<string, long>? DiskByKindStopped { get; set; }

    /// <summary>Peak RSS of the silo during write + settle, bytes (<c>VmHWM</c>).</summary>
    public long PeakRssBytes { get; set; }

    /// <summary>
    /// The warnings and errors the silo that took the writes logged from its start to its stop (<see cref="SiloChild.Problems"/>,
    /// Orleans' own included): a run with any did other work than the one measured, or failed somewhere only the log says.
    /// </summary>
    public List<string> SiloWarnings { get; set; } = [];

    /// <summary>Seconds the restarted silo took to serve (on the data folder written above).</summary>
    public double RestartSeconds { get; set; }

    /// <summary>Data points the restarted silo counts (COUNT over every measure and the whole time range).</summary>
    public long VisiblePoints { get; set; }

    /// <summary>Data points the silo that took the writes answered before its stop (<c>--queries-before-restart</c>; 0 when not asked).</summary>
    public long VisiblePointsIngested { get; set; }

    /// <summary>Peak RSS of the restarted silo after the queries, bytes (<c>VmHWM</c>).</summary>
    public long QueryPeakRssBytes { get; set; }

    /// <summary>The queries: name, every timed run (ms), median, p99, whether the answer was right.</summary>
    public IReadOnlyList<QueryFigures>? Queries { get; set; }

    /// <summary>Load average when the run started.</summary>
    public string? LoadAverageBefore { get; set; }

    /// <summary>Data points of the untimed warm-up writes (<c>--write-warmup</c>); 0 when there were none.</summary>
    public long WarmupPoints { get; set; }

    /// <summary>The warm-up writes' rate (the silo's first writes after its start), data points per second.</summary>
    public double WarmupPointsPerSecond { get; set; }

    /// <summary>The silo's CPU per data point of the warm-up writes, in nanoseconds.</summary>
    public double WarmupServerNsPerPoint { get; set; }

    /// <summary>Load average when the run ended.</summary>
    public string? LoadAverageAfter { get; set; }
}

/// <summary>One query's figures in <see cref="LoadReport"/>.</summary>
/// <param name="Name">Q1, Q2, Q3 (gRPC), "Q1 http"… (the HTTP gateway) or TopN.</param>
/// <param name="MedianMs">Median latency.</param>
/// <param name="P99Ms">99th percentile latency (the slowest run when there are fewer than 100).</param>
/// <param name="Correct">Whether the answer matched the dataset.</param>
/// <param name="Detail">What differed, or ok.</param>
/// <param name="Ms">Every timed run.</param>
/// <param name="SiloCpuMsPerRun">The silo's CPU time per timed run.</param>
/// <param name="LoadGeneratorCpuMsPerRun">The load generator's CPU time per timed run (sending, parsing, checking).</param>
public sealed record QueryFigures(string Name, double MedianMs, double P99Ms, bool Correct, string Detail, IReadOnlyList<double> Ms, double SiloCpuMsPerRun, double LoadGeneratorCpuMsPerRun);
