using System.Globalization;
using System.Reflection;

namespace Banyan.Benchmarks.Load;

/// <summary>Command-line options of <c>load</c>; every option has a default, see <see cref="Usage"/>.</summary>
public sealed class LoadOptions
{
    /// <summary>What <c>load --help</c> prints.</summary>
    public const string Usage = """
        load: writes gen.py's dataset into a silo it starts, over MeasureService/Write, then measures it.
          --series S          series (default 10000)            --points N      points per series (default 360)
          --seed N            dataset seed (default 42)         --streams K     concurrent write streams (default 8)
          --client C          prepared (default: the coalescing client's bytes, encoded and framed before the timed phase,
                              as bench.py posts a file made beforehand to VictoriaMetrics; about 100 bytes of memory per point),
                              coalescing (raw HTTP/2, each message encoded while sending, --flush-every messages per write,
                              as grpc-java sends a burst) or grpc-dotnet (Grpc.Net.Client: every message written and flushed alone)
          --flush-every N     messages per write of the prepared and coalescing clients (default 128, grpc-java's write-queue chunk)
          --shards N          shards of the group (default 2)   --ttl-days N    group TTL, days (default 3650: gen.py's data is in 2024)
          --write-warmup N    before the timed write phase, write N points of each series (a dataset of another seed) into a
                              second group with the same measures, untimed, then delete that group and its data (default 0:
                              none): the timed phase then measures a silo whose JIT has compiled the write path, as in a silo
                              that has been running, beside the default's freshly started one
          --data DIR          fresh data folder (default a new folder under /tmp, removed at the end unless --keep)
          --keep              keep the data folder
          --queries-on DIR    no write phase: copy DIR (a folder kept by an earlier `load --keep` with the same --series,
                              --points and --seed) into the data folder and only restart the silo on it and query, so
                              two silo builds can be compared on the same parts
          --silo DLL          the built Banyan.Silo.dll (default the one built next to this project, same configuration)
          --silo-arg ARG      extra silo configuration override, repeatable (e.g. --silo-arg --Silo:Shard:MergePeriod=00:00:05)
          --silo-env K=V      environment variable for the silo only, repeatable (e.g. --silo-env DOTNET_gcConcurrent=0)
          --settle-quiet S    settle: wait until the data folder has not changed for S seconds (default 45: longer than the
                              silo's Shard:CompactAfterIdle + MergePeriod, 30 + 10 s, so the compaction of gen.py's ended
                              segment is done before the disk is measured) ...
          --settle-max S      ... but at most S seconds (default 180)
          --timeout S         bound on the whole write phase (default 900)
          --query-runs N      timed runs of each query (default 30), after --warmup N untimed ones (default 1)
          --warm N            then, for Q1-Q3, N more untimed runs and the timed runs again, reported as "Q1 warm"...
                              (default 0: not run): the latency of a silo whose JIT has finished, beside the first
                              queries after its start
          --warm-seconds S    first, S seconds of untimed Q1, Q2, Q3 in turn, then the --warm runs (default 0): the silo's
                              background tier-1 JIT lasts seconds, not a number of runs; implies the warm runs
          --queries-before-restart
                              also run Q1-Q3 on the silo that took the writes, after the settle and before its stop, as
                              bench.py queries VictoriaMetrics (the visible count first, then --warmup untimed and
                              --query-runs timed runs, the process not restarted), reported as "Q1 ingested"...; the
                              table's runs stay those of the restarted silo
          --perf FILE         record the silo with `perf record -g` during the write phase (silo started with DOTNET_PerfMapEnabled=1)
          --alloc-trace FILE  record the silo's allocation samples during the write phase with dotnet-trace (on PATH or in
                              ~/.dotnet/tools: `dotnet tool install -g dotnet-trace`); `alloc-report FILE` reads them
          --queries NAMES     run only these queries, comma-separated (e.g. "Q1,Q2"; default all: Q1 Q2 Q3, the same over HTTP, TopN, "Floor", "Floor x24")
          --perf-queries FILE record the restarted silo with `perf record -g` during the timed query runs
          --alloc-trace-queries FILE
                              record the restarted silo's allocation samples during the timed query runs (as --alloc-trace)
          --json FILE         also write the figures as JSON (the side-by-side script reads it)
        The warnings and errors the silo that took the writes logged are printed after its stop; with the environment
        variable BANYAN_LOAD_SILO_LOG=FILE every line of every silo is appended to FILE.
        """;

    /// <summary>Series.</summary>
    public int Series { get; private set; } = 10_000;

    /// <summary>Points per series.</summary>
    public int Points { get; private set; } = 360;

    /// <summary>Dataset seed.</summary>
    public long Seed { get; private set; } = 42;

    /// <summary>Concurrent write streams.</summary>
    public int Streams { get; private set; } = 8;

    /// <summary>The client that sends the write streams.</summary>
    public LoadClient Client { get; private set; } = LoadClient.Prepared;

    /// <summary>Messages per write of the coalescing client.</summary>
    public int FlushEvery { get; private set; } = LoadWriter.DefaultFlushEvery;

    /// <summary>Points per series of the untimed warm-up writes into <see cref="PeerSchema.WarmupGroup"/>; 0 for none.</summary>
    public int WriteWarmup { get; private set; }

    /// <summary>Shards of the group.</summary>
    public uint Shards { get; private set; } = 2;

    /// <summary>Group TTL in days.</summary>
    public uint TtlDays { get; private set; } = 3650;

    /// <summary>Data folder, or null for a temporary one.</summary>
    public string? DataFolder { get; private set; }

    /// <summary>Keep the data folder.</summary>
    public bool Keep { get; private set; }

    /// <summary>A kept data folder to copy and only query, or null to write the dataset first.</summary>
    public string? QueriesOn { get; private set; }

    /// <summary>The silo executable.</summary>
    public string SiloDll { get; private set; } = DefaultSiloDll();

    /// <summary>Extra silo arguments.</summary>
    public List<string> SiloArguments { get; } = [];

    /// <summary>Extra environment variables of the silo process (runtime settings tried without rebuilding it).</summary>
    public Dictionary<string, string> SiloEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>Quiet time that ends the settle phase.</summary>
    public TimeSpan SettleQuiet { get; private set; } = TimeSpan.FromSeconds(45);

    /// <summary>Longest settle phase.</summary>
    public TimeSpan SettleMax { get; private set; } = TimeSpan.FromSeconds(180);

    /// <summary>Bound on the write phase.</summary>
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(900);

    /// <summary>Timed runs per query.</summary>
    public int QueryRuns { get; private set; } = 30;

    /// <summary>Untimed runs per query before the timed ones.</summary>
    public int Warmup { get; private set; } = 1;

    /// <summary>Further untimed runs per query before a second, "warm" set of timed runs; 0 for none.</summary>
    public int Warm { get; private set; }

    /// <summary>
    /// Seconds of untimed Q1, Q2, Q3 in turn before the "warm" runs (and before <see cref="Warm"/>'s runs); 0 for none. The
    /// runtime recompiles hot code at tier 1 in the background for several seconds after the first queries, so a count
    /// of runs warms a fast query for a fraction of that time; a duration does not depend on how fast the query is.
    /// </summary>
    public int WarmSeconds { get; private set; }

    /// <summary>Whether Q1-Q3 also run on the silo that took the writes, before its stop (as bench.py queries its peers).</summary>
    public bool QueriesBeforeRestart { get; private set; }

    /// <summary>dotnet-trace output file of the write phase's allocation samples, or null.</summary>
    public string? AllocTraceFile { get; private set; }

    /// <summary>Where to record the restarted silo's allocation samples during the timed query runs; null for none.</summary>
    public string? AllocTraceQueriesFile { get; private set; }

    /// <summary>perf output file, or null.</summary>
    public string? PerfFile { get; private set; }

    /// <summary>The names of the queries to run, or null for all of them.</summary>
    public IReadOnlySet<string>? QueryNames { get; private set; }

    /// <summary>perf output file for the query phase, or null.</summary>
    public string? PerfQueriesFile { get; private set; }

    /// <summary>JSON output file, or null.</summary>
    public string? JsonFile { get; private set; }

    /// <summary>Parses the arguments after <c>load</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value; the message names it.</exception>
    public static LoadOptions Parse(string[] args)
    {
        LoadOptions o = new();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min)
            {
                string text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
                    ? v
                    : throw new ArgumentException($"{name} '{text}': expected an integer >= {min}");
            }

            switch (name)
            {
                case "--series":
                    o.Series = Int(3);
                    break;
                case "--points":
                    o.Points = Int(1);
                    break;
                case "--seed":
                    o.Seed = Int(0);
                    break;
                case "--streams":
                    o.Streams = Int(1);
                    break;
                case "--client":
                    string client = Value();
                    o.Client = client switch
                    {
                        "coalescing" => LoadClient.Coalescing,
                        "grpc-dotnet" => LoadClient.GrpcDotnet,
                        "prepared" => LoadClient.Prepared,
                        _ => throw new ArgumentException($"--client '{client}': expected prepared, coalescing or grpc-dotnet"),
                    };
                    break;
                case "--flush-every":
                    o.FlushEvery = Int(1);
                    break;
                case "--shards":
                    o.Shards = (uint)Int(1);
                    break;
                case "--ttl-days":
                    o.TtlDays = (uint)Int(1);
                    break;
                case "--data":
                    o.DataFolder = Path.GetFullPath(Value());
                    break;
                case "--keep":
                    o.Keep = true;
                    break;
                case "--queries-on":
                    o.QueriesOn = Path.GetFullPath(Value());
                    if (!Directory.Exists(o.QueriesOn))
                    {
                        throw new ArgumentException($"--queries-on '{o.QueriesOn}': no such folder");
                    }

                    break;
                case "--silo":
                    o.SiloDll = Path.GetFullPath(Value());
                    break;
                case "--silo-arg":
                    o.SiloArguments.Add(Value());
                    break;
                case "--silo-env":
                    string setting = Value();
                    int equals = setting.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        throw new ArgumentException($"--silo-env '{setting}': expected NAME=VALUE");
                    }

                    o.SiloEnvironment[setting[..equals]] = setting[(equals + 1)..];
                    break;
                case "--settle-quiet":
                    o.SettleQuiet = TimeSpan.FromSeconds(Int(0));
                    break;
                case "--settle-max":
                    o.SettleMax = TimeSpan.FromSeconds(Int(0));
                    break;
                case "--timeout":
                    o.Timeout = TimeSpan.FromSeconds(Int(1));
                    break;
                case "--query-runs":
                    o.QueryRuns = Int(1);
                    break;
                case "--warmup":
                    o.Warmup = Int(0);
                    break;
                case "--warm":
                    o.Warm = Int(0);
                    break;
                case "--write-warmup":
                    o.WriteWarmup = Int(0);
                    break;
                case "--warm-seconds":
                    o.WarmSeconds = Int(0);
                    break;
                case "--queries-before-restart":
                    o.QueriesBeforeRestart = true;
                    break;
                case "--alloc-trace":
                    o.AllocTraceFile = Path.GetFullPath(Value());
                    break;
                case "--perf":
                    o.PerfFile = Path.GetFullPath(Value());
                    break;
                case "--queries":
                    o.QueryNames = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    break;
                case "--perf-queries":
                    o.PerfQueriesFile = Path.GetFullPath(Value());
                    break;
                case "--alloc-trace-queries":
                    o.AllocTraceQueriesFile = Path.GetFullPath(Value());
                    break;
                case "--json":
                    o.JsonFile = Path.GetFullPath(Value());
                    break;
                default:
                    throw new ArgumentException($"unknown option '{name}'\n{Usage}");
            }
        }

        if (o.QueriesBeforeRestart && o.QueriesOn is not null)
        {
            throw new ArgumentException("--queries-before-restart needs the write phase, which --queries-on skips");
        }

        return o;
    }

    // Set at build time (Banyan.Benchmarks.csproj): src/Banyan.Silo/bin/<Configuration>/<tfm>/Banyan.Silo.dll.
    private static string DefaultSiloDll() => typeof(LoadOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SiloExecutablePath").Value!;
}
