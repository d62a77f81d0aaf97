namespace Banyan.GrainInterfaces.Writes;

/// <summary>Why one element of a write batch was not stored.</summary>
/// <param name="Index">The element's position in the batch.</param>
/// <param name="Reason">The field and the reason, e.g. <c>tag_families[0].tags[2] (service_id): is an int, the schema declares TAG_TYPE_STRING</c>.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ElementRefusal")]
public sealed record ElementRefusal([property: Id(0)] int Index, [property: Id(1)] string Reason);
