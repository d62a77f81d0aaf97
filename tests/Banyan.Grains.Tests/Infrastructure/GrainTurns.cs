namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Runs test code the way an activation's turns run: one at a time, and every <c>await</c> resumes on the same
/// one-at-a-time scheduler (code that hops with <c>Task.Run</c> still runs on the pool). Classes a grain drives and that
/// say they are single-threaded (for example <c>ShardTopN</c>) must be tested this way: under xunit's plain thread pool
/// their continuations would run on pool threads, in parallel with the test's next call, which a grain never does.
/// </summary>
internal static class GrainTurns
{
    /// <summary>Runs <paramref name="body"/> and its continuations one at a time, as a reentrant grain's turns.</summary>
    public static Task RunAsync(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        TaskScheduler turns = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        return Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, turns).Unwrap();
    }
}
