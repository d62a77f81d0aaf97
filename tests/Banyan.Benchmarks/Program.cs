using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Banyan.Benchmarks;

/// <summary>Entry point: every benchmark class in this assembly, chosen with <c>--filter</c>; or <c>ingest</c> for the quick shard ingest run; or <c>flush</c> for a shard's flush alone (wall time, CPU, cores); or <c>part-bytes</c> for the stored bytes of the ingested dataset file by file; or <c>part-stats DIR</c> for where the bytes of the parts under a data folder go; or <c>scan</c> for the quick shard read run; or <c>queries</c> for the peer benchmark's three queries at the engine level; or <c>wal</c> for WAL group-commit costs; or <c>grains</c> for grain call costs (<c>grains-silo</c> is its child silo process); or <c>load</c> for the peer dataset written over gRPC into a silo process; or <c>query-pair</c> and <c>load-pair</c> for two silo builds' queries and write phases compared side by side; or <c>alloc-report FILE</c> for what a <c>load --alloc-trace FILE</c> write phase allocated.</summary>
public static class Program
{
    // Every BenchmarkDotNet job runs in this process (a mutator job sets the toolchain of the classes' own jobs). The
    // default toolchain rebuilds the project with one IntermediateOutputPath for every referenced project, and
    // Grpc.Tools then cannot find the files it generates for Banyan.Api (BenchmarkDotNet issue 2652), so the
    // out-of-process build fails. Each class's [SimpleJob] still sets its warm-up and iteration counts.
    private static readonly IConfig s_inProcessConfig = DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());

    /// <summary>Runs the benchmarks picked by the command line.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ingest")
        {
            return ShardIngestCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "flush")
        {
            return FlushCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "queries")
        {
            return EngineQueries.EngineQueriesCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "part-bytes")
        {
            return PartBytesCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "part-stats")
        {
            return PartStatsCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "scan")
        {
            return ShardScanCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "wal")
        {
            return WalAppendCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "grains")
        {
            return Grains.GrainCallCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "load")
        {
            return Load.LoadCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "load-pair")
        {
            return Load.LoadPairCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "query-pair")
        {
            return Load.QueryPairCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "alloc-report")
        {
            return AllocationReportCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "grains-silo")
        {
            return Grains.BenchSiloCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, s_inProcessConfig);
        return 0;
    }
}
