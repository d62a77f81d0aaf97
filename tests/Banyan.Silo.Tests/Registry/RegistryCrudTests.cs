using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Grains.Schema;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Silo.Tests.Registry;

/// <summary>BanyanDB's registry services through gRPC (Grpc.Net.Client and the generated clients) against a real silo host.</summary>
public sealed class RegistryCrudTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private readonly RegistryClients _registry = new(fixture.Host.Channel);

    [Fact]
    public async Task GetAPIVersion_answers_0_10()
    {
        GetAPIVersionResponse response = await new Service.ServiceClient(fixture.Host.Channel).GetAPIVersionAsync(new GetAPIVersionRequest(), deadline: RegistryClients.Deadline);
        Assert.Equal("0.10", response.Version.Version);
    }

    [Fact]
    public async Task Every_kind_is_created_read_listed_updated_and_deleted_with_revisions()
    {
        SchemaSamples s = new("crud");
        IMessage[] schemas = [s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure(), s.IndexRule(), s.Binding(), s.TopN()];
        long last = 0;
        foreach (IMessage schema in schemas)
        {
            long revision = await _registry.CreateAsync(schema);
            Assert.True(revision > last, $"revision {revision} after {last}");
            last = revision;
            IMessage stored = await _registry.GetAsync(schema);
            Metadata metadata = MetadataOf(stored);
            Assert.Equal(revision, metadata.CreateRevision);
            Assert.Equal(revision, metadata.ModRevision);
            Assert.Equal(Normalized(schema), Normalized(stored));
            Assert.NotNull(stored.Descriptor.FindFieldByName("updated_at").Accessor.GetValue(stored));
        }

        // The silo's cache has everything once the calls returned.
        SchemaCatalog cache = fixture.Host.Services.GetRequiredService<SchemaCache>().Catalog;
        Assert.True(cache.Revision >= last);
        Assert.True(cache.TryGetTopNAggregation(s.MeasureGroupName, "top", out _));

        // List and Exist.
        Assert.Contains((await _registry.Groups.ListAsync(new GroupRegistryServiceListRequest(), deadline: RegistryClients.Deadline)).Group, g => g.Metadata.Name == s.StreamGroupName);
        StreamRegistryServiceListResponse streams = await _registry.Streams.ListAsync(new StreamRegistryServiceListRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline);
        Assert.Equal("sw", Assert.Single(streams.Stream).Metadata.Name);
        Assert.Single((await _registry.Measures.ListAsync(new MeasureRegistryServiceListRequest { Group = s.MeasureGroupName }, deadline: RegistryClients.Deadline)).Measure);
        Assert.Single((await _registry.IndexRules.ListAsync(new IndexRuleRegistryServiceListRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline)).IndexRule);
        Assert.Single((await _registry.Bindings.ListAsync(new IndexRuleBindingRegistryServiceListRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline)).IndexRuleBinding);
        Assert.Single((await _registry.TopN.ListAsync(new TopNAggregationRegistryServiceListRequest { Group = s.MeasureGroupName }, deadline: RegistryClients.Deadline)).TopNAggregation);
        Assert.Empty((await _registry.Streams.ListAsync(new StreamRegistryServiceListRequest { Group = "no-such-group" }, deadline: RegistryClients.Deadline)).Stream);

        Assert.True((await _registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = s.MeasureGroupName }, deadline: RegistryClients.Deadline)).HasGroup);
        MeasureRegistryServiceExistResponse measureExists = await _registry.Measures.ExistAsync(new MeasureRegistryServiceExistRequest { Metadata = new Metadata { Group = s.MeasureGroupName, Name = "cpm" } }, deadline: RegistryClients.Deadline);
        Assert.True(measureExists.HasGroup && measureExists.HasMeasure);
        MeasureRegistryServiceExistResponse absent = await _registry.Measures.ExistAsync(new MeasureRegistryServiceExistRequest { Metadata = new Metadata { Group = s.MeasureGroupName, Name = "nope" } }, deadline: RegistryClients.Deadline);
        Assert.True(absent.HasGroup);
        Assert.False(absent.HasMeasure);
        StreamRegistryServiceExistResponse noGroup = await _registry.Streams.ExistAsync(new StreamRegistryServiceExistRequest { Metadata = new Metadata { Group = "no-such-group", Name = "sw" } }, deadline: RegistryClients.Deadline);
        Assert.False(noGroup.HasGroup || noGroup.HasStream);
        Assert.True((await _registry.TopN.ExistAsync(new TopNAggregationRegistryServiceExistRequest { Metadata = new Metadata { Group = s.MeasureGroupName, Name = "top" } }, deadline: RegistryClients.Deadline)).HasTopNAggregation);

        // Update: a tag added to the stream keeps create_revision and takes a new mod_revision.
        StreamSchema wider = s.Stream();
        wider.TagFamilies[0].Tags.Add(new TagSpec { Name = "endpoint", Type = TagType.String });
        long updated = await _registry.UpdateAsync(wider);
        Assert.True(updated > last);
        StreamSchema stored2 = (StreamSchema)await _registry.GetAsync(wider);
        Assert.Equal(updated, stored2.Metadata.ModRevision);
        Assert.True(stored2.Metadata.CreateRevision < updated);
        Assert.Equal(5, stored2.TagFamilies[0].Tags.Count);

        // An update that changes nothing answers the current revision.
        Assert.Equal(updated, await _registry.UpdateAsync(wider));

        // Delete: deleted, then gone; a second delete answers deleted = false.
        TopNAggregationRegistryServiceDeleteResponse deleted = await _registry.TopN.DeleteAsync(new TopNAggregationRegistryServiceDeleteRequest { Metadata = new Metadata { Group = s.MeasureGroupName, Name = "top" } }, deadline: RegistryClients.Deadline);
        Assert.True(deleted.Deleted);
        Assert.True(deleted.DeleteTime > 0);
        Assert.True(deleted.ModRevision > updated);
        RpcException gone = await Assert.ThrowsAsync<RpcException>(() => _registry.GetAsync(s.TopN()));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.False((await _registry.TopN.DeleteAsync(new TopNAggregationRegistryServiceDeleteRequest { Metadata = new Metadata { Group = s.MeasureGroupName, Name = "top" } }, deadline: RegistryClients.Deadline)).Deleted);
    }

    [Fact]
    public async Task A_duplicate_create_is_ALREADY_EXISTS_and_a_missing_schema_NOT_FOUND()
    {
        SchemaSamples s = new("codes");
        await _registry.CreateAsync(s.StreamGroup());
        await _registry.CreateAsync(s.Stream());

        RpcException duplicate = await Assert.ThrowsAsync<RpcException>(() => _registry.CreateAsync(s.Stream()));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal($"Stream '{s.StreamGroupName}/sw' already exists.", duplicate.Status.Detail);
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => _registry.CreateAsync(s.StreamGroup()))).StatusCode);

        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => _registry.Measures.GetAsync(new MeasureRegistryServiceGetRequest { Metadata = new Metadata { Group = s.StreamGroupName, Name = "cpm" } }, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal($"Measure '{s.StreamGroupName}/cpm' does not exist.", missing.Status.Detail);

        StreamSchema other = s.Stream();
        other.Metadata.Name = "other";
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _registry.UpdateAsync(other))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _registry.Groups.GetAsync(new GroupRegistryServiceGetRequest { Group = "no-such-group" }, deadline: RegistryClients.Deadline).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "no-such-group" }, deadline: RegistryClients.Deadline).ResponseAsync)).StatusCode);
        Assert.False((await _registry.Streams.DeleteAsync(new StreamRegistryServiceDeleteRequest { Metadata = new Metadata { Group = s.StreamGroupName, Name = "other" } }, deadline: RegistryClients.Deadline)).Deleted);
    }

    [Fact]
    public async Task Deleting_a_group_removes_its_schemas_and_a_dry_run_lists_them()
    {
        SchemaSamples s = new("drop");
        foreach (IMessage schema in new IMessage[] { s.StreamGroup(), s.Stream(), s.IndexRule(), s.Binding() })
        {
            await _registry.CreateAsync(schema);
        }

        GroupRegistryServiceDeleteResponse dry = await _registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = s.StreamGroupName, DryRun = true }, deadline: RegistryClients.Deadline);
        Assert.Equal(["sw"], dry.SchemaInfo.Streams);
        Assert.Equal(["trace_id"], dry.SchemaInfo.IndexRules);
        Assert.Equal(["sw-binding"], dry.SchemaInfo.IndexRuleBindings);
        Assert.Equal(0, dry.DeleteTime);
        Assert.True((await _registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline)).HasGroup);

        GroupRegistryServiceDeleteResponse deleted = await _registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline);
        Assert.True(deleted.DeleteTime > 0);
        Assert.False((await _registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = s.StreamGroupName }, deadline: RegistryClients.Deadline)).HasGroup);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _registry.GetAsync(s.Stream()))).StatusCode);
        Assert.False(fixture.Host.Services.GetRequiredService<SchemaCache>().Catalog.TryGetStream(s.StreamGroupName, "sw", out _));
    }

    [Fact]
    public async Task Requests_missing_their_schema_metadata_or_group_are_INVALID_ARGUMENT_naming_the_field()
    {
        RpcException noStream = await Assert.ThrowsAsync<RpcException>(() => _registry.Streams.CreateAsync(new StreamRegistryServiceCreateRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noStream.StatusCode);
        Assert.Equal("stream: is required", noStream.Status.Detail);
        RpcException noMetadata = await Assert.ThrowsAsync<RpcException>(() => _registry.Measures.GetAsync(new MeasureRegistryServiceGetRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noMetadata.StatusCode);
        Assert.StartsWith("metadata: is required", noMetadata.Status.Detail, StringComparison.Ordinal);
        RpcException noGroup = await Assert.ThrowsAsync<RpcException>(() => _registry.IndexRules.ListAsync(new IndexRuleRegistryServiceListRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noGroup.StatusCode);
        Assert.StartsWith("group: is required", noGroup.Status.Detail, StringComparison.Ordinal);
        RpcException noTopN = await Assert.ThrowsAsync<RpcException>(() => _registry.TopN.UpdateAsync(new TopNAggregationRegistryServiceUpdateRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal("top_n_aggregation: is required", noTopN.Status.Detail);
    }

    [Fact]
    public async Task The_deletion_task_of_a_group_never_deleted_is_NOT_FOUND_and_one_without_a_group_INVALID_ARGUMENT()
    {
        RpcException never = await Assert.ThrowsAsync<RpcException>(() => _registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest { Group = "x" }, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "deletion task for group x not found"), (never.StatusCode, never.Status.Detail));
        RpcException noGroup = await Assert.ThrowsAsync<RpcException>(() => _registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "group: is required"), (noGroup.StatusCode, noGroup.Status.Detail));
    }

    private static Metadata MetadataOf(IMessage schema) => (Metadata)schema.Descriptor.FindFieldByName("metadata").Accessor.GetValue(schema);

    // The schema without what the server sets: revisions, timestamps and (for rules without one) the id.
    private static IMessage Normalized(IMessage schema)
    {
        IMessage copy = schema.Descriptor.Parser.ParseFrom(schema.ToByteString());
        Metadata metadata = MetadataOf(copy);
        metadata.CreateRevision = 0;
        metadata.ModRevision = 0;
        if (copy is IndexRule)
        {
            metadata.Id = 0;
        }

        copy.Descriptor.FindFieldByName("updated_at").Accessor.Clear(copy);
        copy.Descriptor.FindFieldByName("created_at").Accessor.Clear(copy);
        return copy;
    }
}
