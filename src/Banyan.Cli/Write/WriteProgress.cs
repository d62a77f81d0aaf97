using System.Diagnostics;
using System.Globalization;
using Banyan.Cli.Output;
using Spectre.Console;

namespace Banyan.Cli.Write;

/// <summary>
/// Shows a bulk write's progress on standard error while it runs: on a terminal a live bar (share of the file read,
/// rows acknowledged and failed, rate, time left); otherwise a plain line every few seconds, which a log keeps readably.
/// Progress goes to standard error so that standard output holds only the summary.
/// </summary>
public static class WriteProgress
{
    /// <summary>Runs <paramref name="work"/> while showing its progress.</summary>
    public static async Task RunAsync(CliConsole console, WriteStatistics statistics, IWriteRowSource source, bool quiet, TimeSpan plainInterval, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        Stopwatch clock = Stopwatch.StartNew();
        if (quiet)
        {
            await work();
            return;
        }

        if (console.ErrorIsTerminal)
        {
            IAnsiConsole ansi = ResultWriter.CreateAnsiConsole(console.Error, isTerminal: true);
            await ansi.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    ProgressTask task = context.AddTask(Describe(statistics, clock.Elapsed), maxValue: Math.Max(1, source.Length ?? 1));
                    task.IsIndeterminate = source.Length is null;
                    Task running = work();
                    while (!running.IsCompleted)
                    {
                        await Task.WhenAny(running, Task.Delay(100));
                        task.Description = Describe(statistics, clock.Elapsed);
                        if (source.Length is not null)
                        {
                            task.Value = Math.Min(source.Position, source.Length.Value);
                        }
                    }

                    task.Value = task.MaxValue;
                    task.Description = Describe(statistics, clock.Elapsed);
                    task.StopTask();
                    await running;
                });
            return;
        }

        Task job = work();
        while (!job.IsCompleted)
        {
            await Task.WhenAny(job, Task.Delay(plainInterval));
            if (!job.IsCompleted)
            {
                await console.Error.WriteLineAsync(PlainLine(statistics, source, clock.Elapsed));
            }
        }

        await job;
    }

    /// <summary>The plain progress line: counts, rate, share of the input read and time left.</summary>
    public static string PlainLine(WriteStatistics statistics, IWriteRowSource source, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(source);
        CultureInfo c = CultureInfo.InvariantCulture;
        string line = string.Create(c, $"progress: {statistics.Read} rows read, {statistics.Acknowledged} acknowledged, {statistics.Failed} failed, {Rate(statistics, elapsed):0} rows/s");
        if (source.Length is > 0 and long length)
        {
            double share = Math.Min(1.0, (double)source.Position / length);
            line += string.Create(c, $", {share * 100:0}% of the input");
            if (share > 0.001)
            {
                TimeSpan left = TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - share) / share);
                line += string.Create(c, $", about {Seconds(left)} left");
            }
        }

        return line;
    }

    /// <summary>Rows acknowledged per second.</summary>
    public static double Rate(WriteStatistics statistics, TimeSpan elapsed) =>
        elapsed.TotalSeconds > 0 ? statistics!.Acknowledged / elapsed.TotalSeconds : 0;

    private static string Describe(WriteStatistics statistics, TimeSpan elapsed) => string.Create(
        CultureInfo.InvariantCulture,
        $"{statistics.Acknowledged:N0} acked, {statistics.Failed:N0} failed, {Rate(statistics, elapsed):N0} rows/s");

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 90
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0} min");
}
