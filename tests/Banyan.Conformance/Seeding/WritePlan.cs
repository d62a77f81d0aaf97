namespace Banyan.Conformance.Seeding;

/// <summary>
/// The requests of one seeding step, sent in order over one bidi write stream, with where each came from.
/// </summary>
/// <typeparam name="TRequest"><c>stream.v1.WriteRequest</c> or <c>measure.v1.WriteRequest</c>.</typeparam>
/// <param name="Step">The step the requests belong to.</param>
/// <param name="Requests">The requests in send order.</param>
/// <param name="Sources">For each request, the data file and entry it was built from (for messages).</param>
public sealed record WritePlan<TRequest>(SeedStep Step, IReadOnlyList<TRequest> Requests, IReadOnlyList<string> Sources);
