using System.Diagnostics;
using System.Globalization;
using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// The load command's dataset is gen.py's: the same series (metric and tags), timestamps and values, in gen.py's
/// series-major CSV order, compared with gen.py's own output when python3 and gen.py (<c>../shared/bench/peers/</c>
/// beside the repository, or <c>BANYAN_BENCH_GEN</c>) are there; skipped with the reason otherwise.
/// </summary>
public sealed class PeerDatasetTests
{
    [SkippableTheory]
    [InlineData(3, 2)]
    [InlineData(1_502, 24)] // 3 services, one more counter entity than gauges, spikes and reflections at 0 and 100
    public void Dataset_is_gen_py_output(int series, int points)
    {
        string? generator = FindGenerator();
        Skip.If(generator is null, "gen.py not found (../shared/bench/peers/gen.py beside the repository, or BANYAN_BENCH_GEN)");
        Skip.IfNot(CanRun("python3", "--version"), "python3 is not installed");
        string folder = Path.Combine(Path.GetTempPath(), "banyan-gen-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            RunGenerator(generator!, series, points, folder);
            string[] lines = File.ReadAllLines(Path.Combine(folder, "data.csv"));
            Assert.Equal("metric,service_id,instance_id,endpoint_id,timestamp_ms,value", lines[0]);
            Assert.Equal((series * points) + 1, lines.Length);

            PeerDataset dataset = new(series, points);
            int line = 1;
            for (int j = 0; j < series; j++)
            {
                PeerSeriesTags tags = dataset.TagsOf(j);
                for (int i = 0; i < points; i++, line++)
                {
                    string[] cells = lines[line].Split(',');
                    Assert.True(cells.Length == 6, $"line {line}: {lines[line]}");
                    string where = $"series {j} point {i} (line {line}: {lines[line]})";
                    Assert.True(cells[0] == tags.Metric && cells[1] == tags.ServiceId && cells[2] == tags.InstanceId && cells[3] == tags.EndpointId, $"tags of {where}: {tags}");
                    Assert.True(long.Parse(cells[4], CultureInfo.InvariantCulture) == dataset.TimestampMs(i), $"timestamp of {where}: {dataset.TimestampMs(i)}");
                    double expected = double.Parse(cells[5], CultureInfo.InvariantCulture);
                    Assert.True(expected == dataset.Value(j, i), $"value of {where}: {dataset.Value(j, i):R}");
                }
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void Layout_follows_gen_py()
    {
        PeerDataset dataset = new(10_000, 1);
        Assert.Equal(20, dataset.Services);
        Assert.Equal(PeerMetricKind.Gauge, PeerDataset.KindOf(1));
        PeerSeriesTags tags = dataset.TagsOf(1);
        Assert.Equal("instance_cpu_percent", tags.Metric);
        Assert.Equal("c2VydmljZS0wMDA=.1", tags.ServiceId); // base64("service-000") + ".1"
        Assert.Equal("c2VydmljZS0wMDA=.1_c2VydmljZS0wMDAtcG9kLTA=", tags.InstanceId);
        Assert.Equal("c2VydmljZS0wMDA=.1_R0VUOi9hcGkvdjEvcmVzb3VyY2UtMDAwMC97aWR9", tags.EndpointId);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerDataset(2, 1));
    }

    private static void RunGenerator(string generator, int series, int points, string folder)
    {
        ProcessStartInfo info = new("python3")
        {
            ArgumentList =
            {
                generator, "--series", series.ToString(CultureInfo.InvariantCulture), "--points", points.ToString(CultureInfo.InvariantCulture),
                "--formats", "csv", "--order", "series", "--jobs", "1", "--out", folder,
            },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(info)!;
        string errors = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "gen.py did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"gen.py exited with {process.ExitCode}: {errors}");
    }

    private static bool CanRun(string program, string argument)
    {
        try
        {
            using Process? process = Process.Start(new ProcessStartInfo(program, [argument]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            return process is not null && process.WaitForExit(TimeSpan.FromSeconds(30)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? FindGenerator()
    {
        if (Environment.GetEnvironmentVariable("BANYAN_BENCH_GEN") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : null;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bench", "peers", "gen.py"));
                return File.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
