using Banyan.Storage.Parts;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Items shared by the calling thread and one pool thread: each runs exactly once, each thread uses its own scratch and
/// runs its items one at a time, the pool thread's work and failure are done and seen before the caller goes on, and a
/// run given up stops taking items and returns only once none runs.
/// </summary>
public sealed class TwoThreadWorkTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1_000)]
    public void Every_item_runs_once_and_each_thread_runs_its_items_one_at_a_time(int count)
    {
        var work = new Recorder(count);
        TwoThreadWork.Run(work, count);

        Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        Assert.True(work.MostAtOnceOnOneThread <= 1, $"{work.MostAtOnceOnOneThread} items at once on one thread");
    }

    [Fact]
    public void The_pool_thread_takes_items_and_has_finished_them_when_the_caller_goes_on()
    {
        // The caller's first item waits (bounded) until the pool thread has taken one, whose items are slow: when Finish
        // returns, the pool thread's last item must be done too.
        var work = new Recorder(64, callerWaitsForHelper: true, helperSpin: 200_000);
        TwoThreadWork run = TwoThreadWork.Start(work, 64);
        run.Finish();

        Assert.True(work.HelperItems > 0, "the pool thread took no item");
        Assert.Equal(0, work.Running);
        Assert.All(work.Runs, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public void A_failure_on_the_pool_thread_fails_the_run_on_the_caller()
    {
        var work = new Recorder(64, callerWaitsForHelper: true, helperSpin: 200_000, failOnHelper: true);
        InvalidOperationException failure = Assert.Throws<InvalidOperationException>(() => TwoThreadWork.Run(work, 64));

        Assert.StartsWith("item ", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, work.Running);
    }

    [Fact]
    public void A_failure_on_the_caller_fails_the_run()
    {
        var work = new Recorder(200, failAt: 7);
        InvalidOperationException failure = Assert.Throws<InvalidOperationException>(() => TwoThreadWork.Run(work, 200));

        Assert.Equal("item 7", failure.Message);
        Assert.Equal(0, work.Running);
    }

    [Fact]
    public void A_run_given_up_takes_no_more_items_and_returns_with_none_running()
    {
        var work = new Recorder(10_000, helperSpin: 200_000);
        TwoThreadWork run = TwoThreadWork.Start(work, 10_000);
        SpinWait.SpinUntil(() => work.HelperItems > 0, TimeSpan.FromSeconds(10));
        run.Abandon();
        int ranWhenAbandoned = work.Runs.Sum();

        Assert.Equal(0, work.Running);
        Assert.Equal(ranWhenAbandoned, work.Runs.Sum());
        Assert.True(ranWhenAbandoned < 10_000);
    }

    private sealed class Recorder(int count, bool callerWaitsForHelper = false, int helperSpin = 50, bool failOnHelper = false, int failAt = -1) : ITwoThreadWork
    {
        private readonly int[] _runs = new int[count];
        private readonly int[] _atOnce = new int[2];
        private int _running;
        private int _mostAtOnce;
        private int _helperItems;

        public IReadOnlyList<int> Runs => _runs;

        public int Running => Volatile.Read(ref _running);

        public int MostAtOnceOnOneThread => Volatile.Read(ref _mostAtOnce);

        public int HelperItems => Volatile.Read(ref _helperItems);

        public void Run(int item, bool onHelper)
        {
            Interlocked.Increment(ref _running);
            int atOnce = Interlocked.Increment(ref _atOnce[onHelper ? 1 : 0]);
            InterlockedMax(ref _mostAtOnce, atOnce);
            try
            {
                if (onHelper)
                {
                    Interlocked.Increment(ref _helperItems);
                    Thread.SpinWait(helperSpin);
                }
                else if (callerWaitsForHelper && item == 0)
                {
                    SpinWait.SpinUntil(() => HelperItems > 0, TimeSpan.FromSeconds(10));
                }
                else
                {
                    Thread.SpinWait(50);
                }

                Interlocked.Increment(ref _runs[item]);
                if (item == failAt || (failOnHelper && onHelper))
                {
                    throw new InvalidOperationException($"item {item}");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _atOnce[onHelper ? 1 : 0]);
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
