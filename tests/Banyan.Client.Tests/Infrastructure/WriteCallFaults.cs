using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Client.Tests.Infrastructure;

/// <summary>
/// Faults and holds injected into the client's write calls (an outgoing grain call filter on the client under test),
/// per group: fail the next N calls with a given exception, or hold calls at a gate until the test opens it. Counts the
/// calls that entered, so a test can wait for a state instead of for time.
/// </summary>
public sealed class WriteCallFaults : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, Plan> _plans = new();

    /// <summary>Makes the next <paramref name="count"/> write calls of <paramref name="group"/> fail with what <paramref name="failure"/> makes.</summary>
    public void FailNext(string group, int count, Func<Exception> failure) => PlanOf(group).Fail(count, failure);

    /// <summary>Holds every write call of <paramref name="group"/> until the returned gate is opened (<see cref="Gate.Open"/>).</summary>
    public Gate Hold(string group) => PlanOf(group).Hold();

    /// <summary>Write calls of <paramref name="group"/> that entered the filter so far.</summary>
    public int Entered(string group) => PlanOf(group).Entered;

    /// <inheritdoc/>
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        Type? declaring = context.InterfaceMethod?.DeclaringType;
        if (context.MethodName == nameof(IMeasureGrain.Write) && (declaring == typeof(IMeasureGrain) || declaring == typeof(IStreamGrain)))
        {
            (string group, _) = SubjectKey.Parse(context.TargetId.Key.ToString()!);
            await PlanOf(group).EnterAsync();
        }

        await context.Invoke();
    }

    private Plan PlanOf(string group) => _plans.GetOrAdd(group, _ => new Plan());

    /// <summary>A gate holding write calls; counts the calls waiting at it.</summary>
    public sealed class Gate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        /// <summary>Calls waiting at the gate now.</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        /// <summary>Lets every held call, and every later one, through.</summary>
        public void Open() => _open.TrySetResult();

        /// <summary>Waits (bounded) until <paramref name="count"/> calls wait at the gate.</summary>
        public async Task WaitForWaitingAsync(int count)
        {
            using CancellationTokenSource bound = new(TimeSpan.FromSeconds(30));
            while (Waiting < count)
            {
                await Task.Delay(5, bound.Token);
            }
        }

        internal async Task PassAsync()
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await _open.Task;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }

    private sealed class Plan
    {
        private readonly Lock _sync = new();
        private int _failuresLeft;
        private Func<Exception>? _failure;
        private Gate? _gate;
        private int _entered;

        public int Entered => Volatile.Read(ref _entered);

        public void Fail(int count, Func<Exception> failure)
        {
            lock (_sync)
            {
                _failuresLeft = count;
                _failure = failure;
            }
        }

        public Gate Hold()
        {
            lock (_sync)
            {
                return _gate = new Gate();
            }
        }

        public async Task EnterAsync()
        {
            Interlocked.Increment(ref _entered);
            Gate? gate;
            Exception? failure = null;
            lock (_sync)
            {
                gate = _gate;
                if (_failuresLeft > 0)
                {
                    _failuresLeft--;
                    failure = _failure!();
                }
            }

            if (gate is not null)
            {
                await gate.PassAsync();
            }

            if (failure is not null)
            {
                throw failure;
            }
        }
    }
}
