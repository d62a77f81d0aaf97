using Banyan.Api.Common.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// Returns the metadata a write step sends for the schema <paramref name="group"/>/<paramref name="name"/>. Upstream
/// sends the metadata the registry's <c>Get</c> returns (with its revisions), not the bare names
/// (<c>WriteToGroup</c>/<c>WriteMixed</c> in <c>test/cases/*/data/data.go</c>).
/// </summary>
public delegate Metadata SchemaMetadataResolver(string group, string name);
