using Banyan.Api.Model.V1;
using Banyan.Grains.Schema;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Queries;

/// <summary>What <see cref="QueryRevisionGate"/> decided for one query.</summary>
/// <param name="Statuses">The answer's <c>group_statuses</c>: one per gated group.</param>
/// <param name="Refused">A gated group did not pass: the query answers <paramref name="Statuses"/> alone.</param>
/// <param name="Empty">The range ends before the schemas were created: the query answers nothing but the statuses.</param>
/// <param name="Begin">The range's new begin (the schemas' creation), or null when it stays.</param>
/// <param name="Catalog">The catalog the query runs against (newer than the one it started with if the gate waited).</param>
internal sealed record QueryGateOutcome(Dictionary<string, Status> Statuses, bool Refused, bool Empty, Timestamp? Begin, SchemaCatalog Catalog);
