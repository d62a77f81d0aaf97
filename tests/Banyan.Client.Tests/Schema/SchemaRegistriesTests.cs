using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Client.Schema;
using Banyan.Client.Tests.Infrastructure;
using Banyan.GrainInterfaces.Schema;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Client.Tests.Schema;

/// <summary>The registry helpers round-trip every kind of schema through the catalog grain, with its errors.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class SchemaRegistriesTests(ClientClusterFixture fixture)
{
    private SchemaRegistries Schemas => fixture.Client.Schemas;

    [Fact]
    public async Task Every_kind_round_trips_create_get_list_update_exist_and_delete()
    {
        SchemaSamples samples = new("reg");
        long streamGroupRevision = await Schemas.Groups.CreateAsync(samples.StreamGroup());
        await Schemas.Groups.CreateAsync(samples.MeasureGroup());

        await RoundTripAsync(Schemas.Streams, samples.Stream(), s => s.TagFamilies[0].Tags.Add(new TagSpec { Name = "extra", Type = TagType.String }));
        await RoundTripAsync(Schemas.Measures, samples.Measure(), m => m.Fields.Add(new FieldSpec { Name = "extra", FieldType = FieldType.Int, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd }));
        await RoundTripAsync(Schemas.IndexRules, samples.IndexRule(), r => r.Analyzer = "keyword");
        await RoundTripAsync(Schemas.IndexRuleBindings, samples.Binding(), b => b.ExpireAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        await RoundTripAsync(Schemas.TopNAggregations, samples.TopN(), t => t.LruSize = 20);

        // Dependents first: a binding names its rule and stream, a TopN aggregation its measure.
        await DeleteAsync(Schemas.TopNAggregations, samples.MeasureGroupName, "top");
        await DeleteAsync(Schemas.IndexRuleBindings, samples.StreamGroupName, "sw-binding");
        await DeleteAsync(Schemas.IndexRules, samples.StreamGroupName, "trace_id");
        await DeleteAsync(Schemas.Measures, samples.MeasureGroupName, "cpm");
        await DeleteAsync(Schemas.Streams, samples.StreamGroupName, "sw");

        Group group = await Schemas.Groups.GetAsync(samples.StreamGroupName);
        Assert.Equal(streamGroupRevision, group.Metadata.CreateRevision);
        Assert.Contains(samples.MeasureGroupName, (await Schemas.Groups.ListAsync()).Select(g => g.Metadata.Name));
        group.ResourceOpts.Ttl.Num = 5;
        Assert.True(await Schemas.Groups.UpdateAsync(group) > streamGroupRevision);
        Assert.Equal(5u, (await Schemas.Groups.GetAsync(samples.StreamGroupName)).ResourceOpts.Ttl.Num);

        // The stream group still holds its stream, index rule and binding: a dry run names them and removes nothing.
        await Schemas.Streams.CreateAsync(samples.Stream());
        await Schemas.IndexRules.CreateAsync(samples.IndexRule());
        SchemaDeletion dryRun = await Schemas.Groups.DeleteAsync(samples.StreamGroupName, dryRun: true);
        Assert.Equal(["sw"], dryRun.Contents!.Streams.ToArray());
        Assert.Equal(["trace_id"], dryRun.Contents.IndexRules.ToArray());
        Assert.True(await Schemas.Groups.ExistAsync(samples.StreamGroupName));

        // A data-only deletion keeps every schema and renews the group's create_revision.
        Assert.Null(await Schemas.Groups.GetDeletionTaskAsync(samples.StreamGroupName));
        SchemaDeletion dataOnly = await Schemas.Groups.DeleteDataAsync(samples.StreamGroupName);
        Assert.True(dataOnly.Deleted);
        Assert.Null(dataOnly.Contents);
        Assert.Equal(dataOnly.Revision, (await Schemas.Groups.GetAsync(samples.StreamGroupName)).Metadata.CreateRevision);
        Assert.Equal(new SchemaExistence(true, true), await Schemas.Streams.ExistAsync(samples.StreamGroupName, "sw"));

        SchemaDeletion deletion = await Schemas.Groups.DeleteAsync(samples.StreamGroupName);
        Assert.True(deletion.Deleted);
        Assert.False(await Schemas.Groups.ExistAsync(samples.StreamGroupName));
        Assert.Equal(new SchemaExistence(false, false), await Schemas.Streams.ExistAsync(samples.StreamGroupName, "sw"));

        // The last deletion's task, as BanyanDB's GroupRegistryService/Query answers it.
        Banyan.Api.Database.V1.GroupDeletionTask task = (await Schemas.Groups.GetDeletionTaskAsync(samples.StreamGroupName))!;
        Assert.Equal(Banyan.Api.Database.V1.GroupDeletionTask.Types.Phase.Completed, task.CurrentPhase);
        Assert.Equal((1, 1, 1), (task.DeletedCounts["stream"], task.DeletedCounts["index_rule"], task.TotalCounts["stream"]));
    }

    [Fact]
    public async Task The_catalogs_errors_reach_the_caller_naming_the_schema_or_the_field()
    {
        SchemaSamples samples = new("reg-err");
        await Schemas.Groups.CreateAsync(samples.MeasureGroup());

        SchemaAlreadyExistsException exists = await Assert.ThrowsAsync<SchemaAlreadyExistsException>(() => Schemas.Groups.CreateAsync(samples.MeasureGroup()));
        Assert.Equal($"Group '{samples.MeasureGroupName}' already exists.", exists.Message);

        SchemaNotFoundException missing = await Assert.ThrowsAsync<SchemaNotFoundException>(() => Schemas.Measures.GetAsync(samples.MeasureGroupName, "nope"));
        Assert.Equal($"Measure '{samples.MeasureGroupName}/nope' does not exist.", missing.Message);
        await Assert.ThrowsAsync<SchemaNotFoundException>(() => Schemas.Measures.UpdateAsync(samples.Measure()));

        Measure bad = samples.Measure();
        bad.Entity.TagNames[0] = "service_id";
        SchemaValidationException invalid = await Assert.ThrowsAsync<SchemaValidationException>(() => Schemas.Measures.CreateAsync(bad));
        Assert.Equal("measure.entity.tag_names[0]", invalid.Field);

        Assert.False(await Schemas.Measures.DeleteAsync(samples.MeasureGroupName, "nope"));
    }

    private static async Task RoundTripAsync<T>(SchemaRegistry<T> registry, T schema, Action<T> change)
        where T : class, IMessage<T>
    {
        Metadata metadata = GrainInterfaces.Schema.SchemaKinds.MetadataOf(schema)!;
        long created = await registry.CreateAsync(schema);

        T stored = await registry.GetAsync(metadata.Group, metadata.Name);
        Metadata storedMetadata = GrainInterfaces.Schema.SchemaKinds.MetadataOf(stored)!;
        Assert.Equal((created, created), (storedMetadata.CreateRevision, storedMetadata.ModRevision));
        Assert.Equal([metadata.Name], (await registry.ListAsync(metadata.Group)).Select(s => GrainInterfaces.Schema.SchemaKinds.MetadataOf(s)!.Name));
        Assert.Equal(new SchemaExistence(true, true), await registry.ExistAsync(metadata.Group, metadata.Name));

        change(stored);
        long updated = await registry.UpdateAsync(stored);
        Assert.True(updated > created, $"{registry.Kind}: update revision {updated} is not after {created}");
        T again = await registry.GetAsync(metadata.Group, metadata.Name);
        Assert.Equal(updated, GrainInterfaces.Schema.SchemaKinds.MetadataOf(again)!.ModRevision);
        Assert.Equal(stored, again, new UpdatedFieldsComparer<T>());
    }

    private static async Task DeleteAsync<T>(SchemaRegistry<T> registry, string group, string name)
        where T : class, IMessage<T>
    {
        Assert.True(await registry.DeleteAsync(group, name));
        Assert.Equal(new SchemaExistence(true, false), await registry.ExistAsync(group, name));
        Assert.Empty(await registry.ListAsync(group));
        Assert.False(await registry.DeleteAsync(group, name));
    }

    // The stored schema after an update equals what was sent, but for what the server stamps (revisions, times).
    private sealed class UpdatedFieldsComparer<T> : IEqualityComparer<T>
        where T : class, IMessage<T>
    {
        public bool Equals(T? x, T? y) => Stripped(x!).Equals(Stripped(y!));

        public int GetHashCode(T obj) => 0;

        private static T Stripped(T schema)
        {
            T copy = schema.Clone();
            Metadata metadata = GrainInterfaces.Schema.SchemaKinds.MetadataOf(copy)!;
            metadata.CreateRevision = 0;
            metadata.ModRevision = 0;
            copy.Descriptor.FindFieldByName("updated_at")?.Accessor.Clear(copy);
            return copy;
        }
    }
}
