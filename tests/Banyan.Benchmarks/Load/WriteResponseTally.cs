using Banyan.Api.Measure.V1;

namespace Banyan.Benchmarks.Load;

/// <summary>What the responses of one write stream said: how many succeeded, how many did not, and the first that did not.</summary>
public sealed class WriteResponseTally
{
    private const string Succeed = "STATUS_SUCCEED";

    /// <summary>Responses with <c>STATUS_SUCCEED</c>.</summary>
    public long Succeeded { get; private set; }

    /// <summary>Responses with any other status.</summary>
    public long Failed { get; private set; }

    /// <summary>The first response that did not succeed (message id and status), or null.</summary>
    public string? FirstFailure { get; private set; }

    /// <summary>Counts one response.</summary>
    public void Add(WriteResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Status == Succeed)
        {
            Succeeded++;
            return;
        }

        Failed++;
        FirstFailure ??= $"message {response.MessageId}: {response.Status}";
    }
}
