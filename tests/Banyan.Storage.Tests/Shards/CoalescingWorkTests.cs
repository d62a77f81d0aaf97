using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Shards;

/// <summary>One pass at a time; a request that joins a running pass is owed a pass that starts after it.</summary>
public sealed class CoalescingWorkTests
{
    [Fact]
    public async Task A_request_that_joins_a_failing_pass_gets_a_pass_of_its_own()
    {
        TaskCompletionSource firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int passes = 0;
        CoalescingWork work = new(async _ =>
        {
            int pass = Interlocked.Increment(ref passes);
            if (pass == 1)
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
                throw new IOException("first pass failed");
            }

            return true;
        });

        Task<bool> first = work.Request();
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task<bool> joined = work.Request(); // arrives while the first pass runs
        releaseFirst.SetResult();

        // The joined request is answered by the second pass, which succeeded.
        Assert.True(await joined.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, passes);
        Assert.Same(first, joined);
        Assert.Null(work.Running);
    }

    [Fact]
    public async Task A_failing_pass_nobody_joined_fails_its_request_and_the_next_request_starts_afresh()
    {
        int passes = 0;
        CoalescingWork work = new(_ => Interlocked.Increment(ref passes) == 1 ? Task.FromException<bool>(new IOException("disk")) : Task.FromResult(false));

        await Assert.ThrowsAsync<IOException>(() => work.Request().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await work.Request().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, passes);
    }
}
