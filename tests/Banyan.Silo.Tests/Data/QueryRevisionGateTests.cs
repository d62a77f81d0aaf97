using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// BanyanDB's revision gate of queries over gRPC (<c>group_mod_revisions</c> in, <c>group_statuses</c> out): the schema's
/// own revision passes and the data comes back, an older one is <c>STATUS_EXPIRED_SCHEMA</c>, one this silo has not
/// reached is <c>STATUS_SCHEMA_NOT_APPLIED</c> after the bounded wait, a group without the schema is
/// <c>STATUS_NOT_FOUND</c>; a refused gate answers no data. A gated query reads nothing from before the schema's
/// creation; an ungated one is unchanged.
/// </summary>
public sealed class QueryRevisionGateTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task A_measure_query_is_gated_per_group_and_reads_nothing_from_before_the_measures_creation()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:Query:SchemaApplyWait=00:00:00.300");
        CpmGroup cpm = await CpmGroup.CreateAsync(new RegistryClients(host.Channel), "gate-measure");
        long revision = cpm.Metadata.ModRevision;
        Assert.True(revision > 0);

        // One point from before the measure was created (CpmGroup's time, ten minutes ago), two from after.
        DateTimeOffset after = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1);
        Assert.All(await cpm.WriteAsync(host, "old"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Assert.All(await (cpm with { Time = after }).WriteAsync(host, "e1", "e2"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        MeasureV1.MeasureService.MeasureServiceClient measures = new(host.Channel);
        MeasureV1.QueryRequest Query(params (string Group, long Revision)[] gate)
        {
            MeasureV1.QueryRequest request = cpm.Query();
            request.TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(cpm.Time.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(after.AddMinutes(1)) };
            foreach ((string group, long rev) in gate)
            {
                if (!request.Groups.Contains(group))
                {
                    request.Groups.Add(group);
                }

                request.GroupModRevisions[group] = rev;
            }

            return request;
        }

        // Ungated: every point, no statuses.
        MeasureV1.QueryResponse ungated = await measures.QueryAsync(Query(), deadline: Deadline);
        Assert.Equal(3, ungated.DataPoints.Count);
        Assert.Empty(ungated.GroupStatuses);

        // The measure's revision: the points written since its creation, and the group's status.
        MeasureV1.QueryResponse passed = await measures.QueryAsync(Query((cpm.Name, revision)), deadline: Deadline);
        Assert.Equal(["e1", "e2"], passed.DataPoints.Select(p => p.TagFamilies[0].Tags[0].Value.Str.Value).Order());
        Assert.Equal(Status.Succeed, Assert.Single(passed.GroupStatuses, s => s.Key == cpm.Name).Value);

        // An older revision, a newer one, a group without the measure: refused with the status, no data.
        foreach ((string group, long rev, Status status) in new[]
        {
            (cpm.Name, revision - 1, Status.ExpiredSchema),
            (cpm.Name, revision + 1000, Status.SchemaNotApplied),
            ("gate-no-such-group", 5L, Status.NotFound),
        })
        {
            MeasureV1.QueryResponse refused = await measures.QueryAsync(Query((group, rev)), deadline: Deadline);
            Assert.Empty(refused.DataPoints);
            Assert.Equal(status, refused.GroupStatuses[group]);
        }

        // Revision 0 is not gated: no status, but the gated query's range still starts at the creation.
        MeasureV1.QueryResponse zero = await measures.QueryAsync(Query((cpm.Name, 0)), deadline: Deadline);
        Assert.Empty(zero.GroupStatuses);
        Assert.Equal(2, zero.DataPoints.Count);

        // A gated query whose whole range is before the creation answers nothing but the status.
        MeasureV1.QueryRequest early = Query((cpm.Name, revision));
        early.TimeRange.End = Timestamp.FromDateTimeOffset(cpm.Time.AddMinutes(1));
        MeasureV1.QueryResponse none = await measures.QueryAsync(early, deadline: Deadline);
        Assert.Empty(none.DataPoints);
        Assert.Equal(Status.Succeed, none.GroupStatuses[cpm.Name]);
    }

    [Fact]
    public async Task A_stream_query_is_gated_per_group()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:Query:SchemaApplyWait=00:00:00.300");
        RegistryClients registry = new(host.Channel);
        const string group = "gate-stream";
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Stream));
        await registry.CreateAsync(WriteSchemas.Stream(group));
        Metadata metadata = ((Banyan.Api.Database.V1.Stream)await registry.GetAsync(WriteSchemas.Stream(group))).Metadata;
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1);
        Assert.All(await WriteExchange.StreamAsync(host.Channel, [WriteSchemas.Element(metadata, 1, t, "svc-a", "el-1")]), r => Assert.Equal("STATUS_SUCCEED", r.Status));

        StreamV1.StreamService.StreamServiceClient streams = new(host.Channel);
        StreamV1.QueryRequest Query(long revision) => new()
        {
            Groups = { group },
            Name = "log",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            Projection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "service" } } } },
            GroupModRevisions = { [group] = revision },
        };

        StreamV1.QueryResponse passed = await streams.QueryAsync(Query(metadata.ModRevision), deadline: Deadline);
        Assert.Single(passed.Elements);
        Assert.Equal(Status.Succeed, passed.GroupStatuses[group]);

        StreamV1.QueryResponse expired = await streams.QueryAsync(Query(metadata.ModRevision - 1), deadline: Deadline);
        Assert.Empty(expired.Elements);
        Assert.Equal(Status.ExpiredSchema, expired.GroupStatuses[group]);
    }
}
