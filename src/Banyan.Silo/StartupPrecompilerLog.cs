namespace Banyan.Silo;

/// <summary>
/// Logs what <see cref="StartupPrecompiler"/> compiled once <paramref name="completion"/> (its <see cref="StartupPrecompiler.Completion"/>)
/// is done, so a start's extra CPU is accounted for; nothing when every assembly was compiled already in this process.
/// </summary>
internal sealed partial class StartupPrecompilerLog(Task<StartupPrecompilation> completion, ILogger<StartupPrecompiler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StartupPrecompilation done;
        try
        {
            done = await completion.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return; // stopped first: the background thread ends with the process
        }

        if (done.Assemblies == 0)
        {
            return;
        }

        LogCompiled(done.Methods, done.Assemblies, done.Elapsed.TotalSeconds);
        if (done.Failed > 0)
        {
            LogFailed(done.Failed, done.FirstFailure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compiled {Methods} methods of the silo's {Assemblies} assemblies ahead of their first call in {Seconds:F1} s (Silo:PrecompileAtStart)")]
    private partial void LogCompiled(int methods, int assemblies, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} methods could not be compiled ahead and are left to their first call; the first: {FirstFailure}")]
    private partial void LogFailed(int failed, string? firstFailure);
}
