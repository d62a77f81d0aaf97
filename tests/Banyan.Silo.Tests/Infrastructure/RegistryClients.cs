using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Google.Protobuf;
using Grpc.Net.Client;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Silo.Tests.Infrastructure;

/// <summary>BanyanDB's generated registry clients on one channel, with Create/Update dispatched by message type.</summary>
public sealed class RegistryClients(GrpcChannel channel)
{
    private static readonly TimeSpan s_callBound = TimeSpan.FromSeconds(30);

    /// <summary>Groups.</summary>
    public GroupRegistryService.GroupRegistryServiceClient Groups { get; } = new(channel);

    /// <summary>Streams.</summary>
    public StreamRegistryService.StreamRegistryServiceClient Streams { get; } = new(channel);

    /// <summary>Measures.</summary>
    public MeasureRegistryService.MeasureRegistryServiceClient Measures { get; } = new(channel);

    /// <summary>Index rules.</summary>
    public IndexRuleRegistryService.IndexRuleRegistryServiceClient IndexRules { get; } = new(channel);

    /// <summary>Index rule bindings.</summary>
    public IndexRuleBindingRegistryService.IndexRuleBindingRegistryServiceClient Bindings { get; } = new(channel);

    /// <summary>TopN aggregations.</summary>
    public TopNAggregationRegistryService.TopNAggregationRegistryServiceClient TopN { get; } = new(channel);

    /// <summary>A deadline for one call.</summary>
    public static DateTime Deadline => DateTime.UtcNow.Add(s_callBound);

    /// <summary>The registry's <c>Create</c> for the schema's kind; returns the <c>mod_revision</c>.</summary>
    public async Task<long> CreateAsync(IMessage schema) => schema switch
    {
        Group g => (await Groups.CreateAsync(new GroupRegistryServiceCreateRequest { Group = g }, deadline: Deadline)).ModRevision,
        StreamSchema s => (await Streams.CreateAsync(new StreamRegistryServiceCreateRequest { Stream = s }, deadline: Deadline)).ModRevision,
        Measure m => (await Measures.CreateAsync(new MeasureRegistryServiceCreateRequest { Measure = m }, deadline: Deadline)).ModRevision,
        IndexRule r => (await IndexRules.CreateAsync(new IndexRuleRegistryServiceCreateRequest { IndexRule = r }, deadline: Deadline)).ModRevision,
        IndexRuleBinding b => (await Bindings.CreateAsync(new IndexRuleBindingRegistryServiceCreateRequest { IndexRuleBinding = b }, deadline: Deadline)).ModRevision,
        TopNAggregation t => (await TopN.CreateAsync(new TopNAggregationRegistryServiceCreateRequest { TopNAggregation = t }, deadline: Deadline)).ModRevision,
        _ => throw new ArgumentException($"No registry for {schema.Descriptor.FullName}.", nameof(schema)),
    };

    /// <summary>The registry's <c>Update</c> for the schema's kind; returns the <c>mod_revision</c>.</summary>
    public async Task<long> UpdateAsync(IMessage schema) => schema switch
    {
        Group g => (await Groups.UpdateAsync(new GroupRegistryServiceUpdateRequest { Group = g }, deadline: Deadline)).ModRevision,
        StreamSchema s => (await Streams.UpdateAsync(new StreamRegistryServiceUpdateRequest { Stream = s }, deadline: Deadline)).ModRevision,
        Measure m => (await Measures.UpdateAsync(new MeasureRegistryServiceUpdateRequest { Measure = m }, deadline: Deadline)).ModRevision,
        IndexRule r => (await IndexRules.UpdateAsync(new IndexRuleRegistryServiceUpdateRequest { IndexRule = r }, deadline: Deadline)).ModRevision,
        IndexRuleBinding b => (await Bindings.UpdateAsync(new IndexRuleBindingRegistryServiceUpdateRequest { IndexRuleBinding = b }, deadline: Deadline)).ModRevision,
        TopNAggregation t => (await TopN.UpdateAsync(new TopNAggregationRegistryServiceUpdateRequest { TopNAggregation = t }, deadline: Deadline)).ModRevision,
        _ => throw new ArgumentException($"No registry for {schema.Descriptor.FullName}.", nameof(schema)),
    };

    /// <summary>The registry's <c>Get</c> for the schema's kind and metadata.</summary>
    public async Task<IMessage> GetAsync(IMessage schema)
    {
        Metadata metadata = (Metadata)schema.Descriptor.FindFieldByName("metadata").Accessor.GetValue(schema);
        return schema switch
        {
            Group => (await Groups.GetAsync(new GroupRegistryServiceGetRequest { Group = metadata.Name }, deadline: Deadline)).Group,
            StreamSchema => (await Streams.GetAsync(new StreamRegistryServiceGetRequest { Metadata = metadata }, deadline: Deadline)).Stream,
            Measure => (await Measures.GetAsync(new MeasureRegistryServiceGetRequest { Metadata = metadata }, deadline: Deadline)).Measure,
            IndexRule => (await IndexRules.GetAsync(new IndexRuleRegistryServiceGetRequest { Metadata = metadata }, deadline: Deadline)).IndexRule,
            IndexRuleBinding => (await Bindings.GetAsync(new IndexRuleBindingRegistryServiceGetRequest { Metadata = metadata }, deadline: Deadline)).IndexRuleBinding,
            TopNAggregation => (await TopN.GetAsync(new TopNAggregationRegistryServiceGetRequest { Metadata = metadata }, deadline: Deadline)).TopNAggregation,
            _ => throw new ArgumentException($"No registry for {schema.Descriptor.FullName}.", nameof(schema)),
        };
    }
}
