using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance;
using Banyan.Conformance.Fixtures;
using Banyan.Conformance.Seeding;
using Banyan.Conformance.Targets;
using Banyan.Silo.Tests.Infrastructure;
using Google.Protobuf;

namespace Banyan.Silo.Tests.Registry;

/// <summary>Every stream and measure schema of BanyanDB's conformance fixtures loads through the registries in upstream order and reads back with revisions.</summary>
public sealed class ConformanceSchemaTests
{
    [Fact]
    public async Task All_stream_and_measure_schemas_load_in_upstream_order_and_read_back_with_revisions()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        GrpcTarget target = new(host.Channel);
        string root = ConformanceRoot.Path;
        ConformanceSeeder seeder = new(target, root, SeedPlan.Load(root), new ConformanceOptions(), TimeProvider.System);
        using CancellationTokenSource bound = new(TimeSpan.FromMinutes(3));
        IReadOnlyList<IMessage> created = await seeder.LoadSchemasAsync(new HashSet<string>(StringComparer.Ordinal) { "stream", "measure" }, bound.Token);

        // Every group and every schema file of both catalogs (92 at upstream 9ebac45).
        Assert.Equal(ExpectedCount(root), created.Count);
        Assert.Contains(created, m => m is Banyan.Api.Database.V1.Stream);
        Assert.Contains(created, m => m is TopNAggregation);

        RegistryClients registry = new(host.Channel);
        long previous = 0;
        foreach (IMessage fixture in created)
        {
            IMessage stored = await registry.GetAsync(fixture);
            Metadata metadata = MetadataOf(stored);
            Assert.True(metadata.ModRevision > previous, $"{Describe(fixture)}: revision {metadata.ModRevision} after {previous}");
            Assert.Equal(metadata.ModRevision, metadata.CreateRevision);
            previous = metadata.ModRevision;
            Assert.Equal(Normalized(fixture), Normalized(stored));
        }
    }

    private static int ExpectedCount(string root) => SeedPlan.Load(root).SchemaLoadOrder
        .Where(e => e.Catalog is "stream" or "measure")
        .Sum(e => (e.GroupsAreArray
                ? JsonDocument.Parse(File.ReadAllText(Path.Combine(root, e.Groups))).RootElement.GetArrayLength()
                : SchemaLoadEntry.Expand(root, e.Groups).Count)
            + e.Then.Sum(glob => SchemaLoadEntry.Expand(root, glob).Count));

    private static Metadata MetadataOf(IMessage schema) => (Metadata)schema.Descriptor.FindFieldByName("metadata").Accessor.GetValue(schema);

    private static string Describe(IMessage schema) => $"{schema.Descriptor.Name} {MetadataOf(schema).Group}/{MetadataOf(schema).Name}";

    // The fixture as sent and as stored, without what the server sets (revisions, updated_at; created_at, which the
    // fixtures do not carry and the server stamps).
    private static IMessage Normalized(IMessage schema)
    {
        IMessage copy = schema.Descriptor.Parser.ParseFrom(schema.ToByteString());
        Metadata metadata = MetadataOf(copy);
        metadata.CreateRevision = 0;
        metadata.ModRevision = 0;
        copy.Descriptor.FindFieldByName("updated_at").Accessor.Clear(copy);
        copy.Descriptor.FindFieldByName("created_at").Accessor.Clear(copy);
        return copy;
    }
}
