using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Grpc.Net.Client;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// How the peer dataset maps onto BanyanDB measures: one measure per metric (as SkyWalking keeps one measure per
/// metric, and as VictoriaMetrics keys series by <c>__name__</c>), in one measure group. Tag family <c>default</c>
/// holds <c>service_id</c>, <c>instance_id</c>, <c>endpoint_id</c> (strings) and all three are the entity, so a series
/// is exactly one of gen.py's series. One field <c>value</c>: INT for the counter and the latency, FLOAT for the gauge
/// (InfluxDB's native typing in the peer run); gorilla encoding and zstd, as SkyWalking's schemas ask.
/// </summary>
public static class PeerSchema
{
    /// <summary>The group the load command creates.</summary>
    public const string Group = "peerbench";

    /// <summary>
    /// The group of the untimed warm-up writes (<c>load --write-warmup</c>): the same measures and TopN aggregation,
    /// deleted with its data before the timed phase.
    /// </summary>
    public const string WarmupGroup = "peerbench_warmup";

    /// <summary>The tag family.</summary>
    public const string TagFamily = "default";

    /// <summary>The field.</summary>
    public const string Field = "value";

    /// <summary>The tags, in the order they are declared and written.</summary>
    public static readonly IReadOnlyList<string> Tags = ["service_id", "instance_id", "endpoint_id"];

    /// <summary>The metadata of the measure of <paramref name="kind"/> in <paramref name="group"/>.</summary>
    public static Metadata MetadataOf(PeerMetricKind kind, string group = Group) => new() { Group = group, Name = PeerDataset.Metrics[(int)kind] };

    /// <summary>
    /// The measure group: <paramref name="shards"/> shards, daily segments, and a TTL long enough for gen.py's fixed
    /// 2024 timestamps (points older than the TTL are acknowledged but not stored).
    /// </summary>
    public static Group GroupSchema(uint shards, uint ttlDays, string group = Group) => new()
    {
        Metadata = new Metadata { Name = group },
        Catalog = Catalog.Measure,
        ResourceOpts = new ResourceOpts
        {
            ShardNum = shards,
            SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
            Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = ttlDays },
        },
    };

    /// <summary>The measure of one metric kind, in <paramref name="group"/>.</summary>
    public static Measure MeasureSchema(PeerMetricKind kind, string group = Group)
    {
        TagFamilySpec family = new() { Name = TagFamily };
        foreach (string tag in Tags)
        {
            family.Tags.Add(new TagSpec { Name = tag, Type = TagType.String });
        }

        return new Measure
        {
            Metadata = MetadataOf(kind, group),
            TagFamilies = { family },
            Fields =
            {
                new FieldSpec
                {
                    Name = Field,
                    FieldType = kind == PeerMetricKind.Gauge ? FieldType.Float : FieldType.Int,
                    EncodingMethod = EncodingMethod.Gorilla,
                    CompressionMethod = CompressionMethod.Zstd,
                },
            },
            Entity = new Entity { TagNames = { Tags } },
            Interval = "10s",
        };
    }

    /// <summary>The TopN aggregation the load command creates over the latency measure.</summary>
    public const string TopNName = "endpoint_resp_time_top";

    /// <summary>
    /// A TopN pre-aggregation of the latency measure, as SkyWalking declares them: the series with the highest
    /// <c>value</c> per window of the measure's interval, no grouping, BanyanDB's default counters. One open window per
    /// point of a series (<paramref name="windows"/>): the 8 write streams run independently and drift apart by tens
    /// of windows, and a point of a window already closed is dropped as late, as BanyanDB drops it, which would make the
    /// answer depend on the drift; with every window open, the check against the dataset is exact.
    /// </summary>
    public static TopNAggregation TopNSchema(int windows, string group = Group) => new()
    {
        Metadata = new Metadata { Group = group, Name = TopNName },
        SourceMeasure = MetadataOf(PeerMetricKind.Latency, group),
        FieldName = Field,
        FieldValueSort = Banyan.Api.Model.V1.Sort.Desc,
        CountersNumber = 1000,
        LruSize = windows,
    };

    /// <summary>Creates the group, the three measures and the TopN aggregation through the registries.</summary>
    public static async Task CreateAsync(GrpcChannel channel, uint shards, uint ttlDays, int windows, CancellationToken cancellationToken, string group = Group)
    {
        await new GroupRegistryService.GroupRegistryServiceClient(channel)
            .CreateAsync(new GroupRegistryServiceCreateRequest { Group = GroupSchema(shards, ttlDays, group) }, cancellationToken: cancellationToken);
        MeasureRegistryService.MeasureRegistryServiceClient measures = new(channel);
        foreach (PeerMetricKind kind in Enum.GetValues<PeerMetricKind>())
        {
            await measures.CreateAsync(new MeasureRegistryServiceCreateRequest { Measure = MeasureSchema(kind, group) }, cancellationToken: cancellationToken);
        }

        await new TopNAggregationRegistryService.TopNAggregationRegistryServiceClient(channel)
            .CreateAsync(new TopNAggregationRegistryServiceCreateRequest { TopNAggregation = TopNSchema(windows, group) }, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes <paramref name="group"/> with its schemas and data (the warm-up group, before the timed phase).</summary>
    public static async Task DeleteAsync(GrpcChannel channel, string group, CancellationToken cancellationToken) =>
        await new GroupRegistryService.GroupRegistryServiceClient(channel)
            .DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, Force = true }, cancellationToken: cancellationToken);
}
