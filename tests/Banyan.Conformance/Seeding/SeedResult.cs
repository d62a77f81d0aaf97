namespace Banyan.Conformance.Seeding;

/// <summary>What a seeding run did.</summary>
/// <param name="BaseTime">B, the base every query window is relative to.</param>
/// <param name="SchemasCreated">Groups, schemas, rules, bindings and TopN aggregations created.</param>
/// <param name="StepsWritten">Write steps sent (each one bidi stream).</param>
/// <param name="RequestsWritten">Write requests sent over all steps.</param>
/// <param name="StreamElements">
/// For every stream element written, the id a query returns for it (<see cref="Comparison.ElementIdHash"/>) mapped to
/// <c>group|name|element_id</c>, so reports can say which written element an id stands for.
/// </param>
public sealed record SeedResult(BaseTime BaseTime, int SchemasCreated, int StepsWritten, int RequestsWritten, IReadOnlyDictionary<string, string> StreamElements);
