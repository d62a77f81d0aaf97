namespace Banyan.GrainInterfaces.Writes;

/// <summary>Why one element of a write batch was not stored.</summary>
/// <param name="Index">The element's position in the batch.</param>
/// <param name="Reason">The field and the reason, e.g. <c>tag_families[0].tags[2] (service_id): is an int, the schema declares TAG_TYPE_STRING</c>.</param>
/// <param name="Retryable">
/// True when the element itself was fine and a transient failure kept it from being stored (its shard's owner down, a
/// timeout, an I/O error, a failed grain call): sending it again may succeed. False for a refusal of the element or of
/// its schema, which the same element meets again (<see cref="WriteStatus.InternalError"/> is both a malformed element
/// and a shard failure in BanyanDB's statuses; this flag tells them apart).
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ElementRefusal")]
public sealed record ElementRefusal([property: Id(0)] int Index, [property: Id(1)] string Reason, [property: Id(2)] bool Retryable = false);
