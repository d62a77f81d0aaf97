using Xunit;

namespace Banyan.Tests.Shared.Writes;

/// <summary>
/// A grain-call stand-in for the tests of joined calls: it records each call's argument and completes the call only when
/// the test answers it, so a test holds a call in flight for as long as it needs.
/// </summary>
/// <typeparam name="TArg">What a call carries.</typeparam>
/// <typeparam name="TResult">What a call returns.</typeparam>
public sealed class HeldCalls<TArg, TResult>
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private readonly List<(TArg Arg, TaskCompletionSource<TResult> Answer)> _calls = [];

    /// <summary>The calls made so far.</summary>
    public int Count
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>The call: recorded, answered later.</summary>
    public Task<TResult> Call(TArg arg)
    {
        TaskCompletionSource<TResult> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_calls)
        {
            _calls.Add((arg, answer));
        }

        return answer.Task;
    }

    /// <summary>The argument of call <paramref name="index"/>, once made (joined calls leave from the thread pool a moment later: polled, within a bound).</summary>
    public async Task<TArg> NextAsync(int index)
    {
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (true)
        {
            lock (_calls)
            {
                if (_calls.Count > index)
                {
                    return _calls[index].Arg;
                }
            }

            Assert.True(Environment.TickCount64 < deadline, $"call {index} was not made");
            await Task.Delay(5);
        }
    }

    /// <summary>Completes call <paramref name="index"/> with <paramref name="result"/>.</summary>
    public void Complete(int index, TResult result)
    {
        lock (_calls)
        {
            _calls[index].Answer.SetResult(result);
        }
    }

    /// <summary>Fails call <paramref name="index"/> with <paramref name="e"/>.</summary>
    public void Fail(int index, Exception e)
    {
        lock (_calls)
        {
            _calls[index].Answer.SetException(e);
        }
    }
}
