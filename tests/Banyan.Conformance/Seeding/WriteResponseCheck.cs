using System.Text;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// Checks the responses of one seeding write stream. Upstream's helpers only drain the stream
/// (<c>test/cases/*/data/data.go</c>), but the data they write must land for the cases to pass, so the harness
/// insists on BanyanDB's protocol: exactly one response per request, matched by <c>message_id</c> (the liaison answers
/// refusals at once and successes when the batch is flushed, so order is not fixed: <c>banyand/liaison/grpc/stream.go</c>),
/// and <c>STATUS_SUCCEED</c> for each.
/// </summary>
/// <remarks>
/// Expired steps (data beyond the group's TTL): upstream's liaison accepts such writes (<c>STATUS_SUCCEED</c>) and
/// hides the fully expired segment at query time (<c>banyand/internal/storage/tsdb.go</c>); issue 12 also lets a server
/// refuse them with <c>STATUS_EXPIRED_SCHEMA</c>. Either is accepted there; the "excludes data expired beyond TTL"
/// cases check that the data never shows.
/// </remarks>
public static class WriteResponseCheck
{
    /// <summary>The status every ordinary seeding write must get.</summary>
    public const string Succeed = "STATUS_SUCCEED";

    /// <summary>The refusal an expired step may get instead (see remarks).</summary>
    public const string ExpiredSchema = "STATUS_EXPIRED_SCHEMA";

    private const int MaxProblemsShown = 5;

    /// <summary>
    /// Throws <see cref="SeedStepFailedException"/> naming the step, the offending requests (data file and entry) and
    /// statuses when <paramref name="responses"/> do not answer <paramref name="requests"/> as described above.
    /// </summary>
    /// <param name="step">The step the exchange belongs to.</param>
    /// <param name="requests">Message id and source (data file and entry) of each request, in send order.</param>
    /// <param name="responses">Message id and status of each response, in arrival order.</param>
    public static void Verify(SeedStep step, IReadOnlyList<(ulong MessageId, string Source)> requests, IReadOnlyList<(ulong MessageId, string Status)> responses)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        List<string> problems = [];
        Dictionary<ulong, string> sources = [];
        foreach ((ulong id, string source) in requests)
        {
            if (!sources.TryAdd(id, source))
            {
                problems.Add($"message_id {id} is used by two requests ({sources[id]} and {source}): a harness bug");
            }
        }

        if (responses.Count != requests.Count)
        {
            problems.Add($"{responses.Count} responses for {requests.Count} requests (BanyanDB answers exactly one per request)");
        }

        HashSet<ulong> answered = [];
        foreach ((ulong id, string status) in responses)
        {
            if (!sources.TryGetValue(id, out string? source))
            {
                problems.Add($"a response has message_id {id}, which no request of this stream carried (status {status})");
                continue;
            }

            if (!answered.Add(id))
            {
                problems.Add($"{source} (message_id {id}) was answered twice");
            }

            if (status != Succeed && !(step.IsExpired && status == ExpiredSchema))
            {
                string allowed = step.IsExpired ? $"{Succeed} or {ExpiredSchema}" : Succeed;
                problems.Add($"{source} (message_id {id}) got status \"{status}\", expected {allowed}");
            }
        }

        foreach ((ulong id, string source) in requests)
        {
            if (!answered.Contains(id))
            {
                problems.Add($"{source} (message_id {id}) got no response");
            }
        }

        if (problems.Count > 0)
        {
            StringBuilder message = new();
            message.Append(problems.Count).Append(problems.Count == 1 ? " problem" : " problems").Append(':');
            foreach (string problem in problems.Take(MaxProblemsShown))
            {
                message.Append("\n  - ").Append(problem);
            }

            if (problems.Count > MaxProblemsShown)
            {
                message.Append("\n  - ... and ").Append(problems.Count - MaxProblemsShown).Append(" more");
            }

            throw new SeedStepFailedException(step.Describe(), message.ToString());
        }
    }
}
