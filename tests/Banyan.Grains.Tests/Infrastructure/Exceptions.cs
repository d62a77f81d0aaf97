namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Finds a typed error in what a grain call threw (Orleans may wrap activation failures).</summary>
public static class Exceptions
{
    /// <summary>Runs <paramref name="call"/> (bounded) and returns the <typeparamref name="T"/> it threw, itself or as an inner exception; fails otherwise.</summary>
    public static async Task<T> CatchAsync<T>(Func<Task> call, TimeSpan? timeout = null)
        where T : Exception
    {
        try
        {
            await call().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (Exception e)
        {
            for (Exception? current = e; current is not null; current = current.InnerException)
            {
                if (current is T typed)
                {
                    return typed;
                }
            }

            throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {e.GetType().Name}: {e}");
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, but the call succeeded.");
    }
}
