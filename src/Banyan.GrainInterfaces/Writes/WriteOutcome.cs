using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The answer to a write batch: one status per element in batch order, why each refused element was refused, and how
/// many elements were accepted but not stored because their segment is older than the group's TTL (BanyanDB answers
/// them <c>STATUS_SUCCEED</c> and never shows them; Banyan does not store them at all).
/// </summary>
/// <param name="Statuses">One status per element, in the batch's order.</param>
/// <param name="Refusals">The elements whose status is not <see cref="WriteStatus.Succeed"/>, with the reason, ascending by index.</param>
/// <param name="Expired">Elements answered <see cref="WriteStatus.Succeed"/> but dropped as older than the TTL.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.WriteOutcome")]
public sealed record WriteOutcome(
    [property: Id(0)] ImmutableArray<WriteStatus> Statuses,
    [property: Id(1)] ImmutableArray<ElementRefusal> Refusals,
    [property: Id(2)] int Expired);
