using BenchmarkDotNet.Running;

namespace Banyan.Benchmarks;

/// <summary>Entry point: every benchmark class in this assembly, chosen with <c>--filter</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks picked by the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
