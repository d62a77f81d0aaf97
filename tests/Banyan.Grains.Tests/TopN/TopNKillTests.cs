using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Grains.Tests.TopN;

/// <summary>
/// The real silo executable is killed with SIGKILL after its TopN lists were flushed and restarted on the same data
/// folder: the ranked lists are answered from the persisted <c>_top_n_result</c> rows, and a point written after the
/// restart into the same window joins them (the window continues from what was persisted).
/// </summary>
public sealed class TopNKillTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Flushed_ranked_lists_survive_a_kill_and_the_window_continues_after_it()
    {
        const string node = "topn-kill";
        const string group = "topn-kill-g";
        SiloProcess.Endpoints endpoints = SiloProcess.Endpoints.Free();
        DateTimeOffset window = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60) - 600);
        Metadata measure;
        await using (SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints, "--Silo:TopN:FlushPeriod=00:00:00.100"))
        {
            await using ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort);
            await Schemas.CreateAsync(client.Client, WriteSchemas.Group(group, Catalog.Measure, shards: 2), WriteSchemas.Measure(group), new TopNAggregation
            {
                Metadata = new Metadata { Group = group, Name = "top" },
                SourceMeasure = new Metadata { Group = group, Name = "cpm" },
                FieldName = "total",
                FieldValueSort = Sort.Desc,
                CountersNumber = 100,
                LruSize = 4,
            });
            measure = await Schemas.MetadataOfAsync(client.Client, new SchemaKey(SchemaKind.Measure, group, "cpm"));
            await WriteAsync(client.Client, measure, [.. Enumerable.Range(0, 20).Select(i => WriteSchemas.Point(null, (ulong)i + 1, window.AddSeconds(i), "e" + i, i * 10))]);
            Assert.Equal(["e19", "e18", "e17"], Entities(await TopNAsync(client.Client, group, window, 3)));

            // Ten flush periods: the lists are in the WAL (a crash before a flush may lose the TopN part of the points
            // acknowledged since the last one; docs/api.md, "TopN").
            await Task.Delay(TimeSpan.FromSeconds(1));
            await silo.KillAsync();
        }

        await using (SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints))
        {
            await using ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort);
            Assert.Equal(["e19", "e18", "e17"], Entities(await TopNAsync(client.Client, group, window, 3)));
            await WriteAsync(client.Client, measure, [WriteSchemas.Point(null, 100, window.AddSeconds(30), "e-new", 185)]);
            Assert.Equal(["e19", "e-new", "e18", "e17"], Entities(await TopNAsync(client.Client, group, window, 4)));
            Assert.Equal(21, (await TopNAsync(client.Client, group, window, 50)).Lists.Single().Items.Count);
            Assert.True(await silo.StopAsync());
        }
    }

    private static async Task WriteAsync(IClusterClient client, Metadata measure, ImmutableArray<MeasureV1.WriteRequest> points)
    {
        WriteOutcome outcome = await client.GetGrain<IMeasureGrain>(SubjectKey.Of(measure.Group, measure.Name)).Write(new MeasureWriteBatch(measure, null, points));
        Assert.All(outcome.Statuses, s => Assert.Equal(WriteStatus.Succeed, s));
    }

    private static Task<MeasureV1.TopNResponse> TopNAsync(IClusterClient client, string group, DateTimeOffset window, int topN) =>
        client.GetGrain<IMeasureGrain>(SubjectKey.Of(group, "top")).TopN(new MeasureV1.TopNRequest
        {
            Groups = { group },
            Name = "top",
            TopN = topN,
            FieldValueSort = Sort.Desc,
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(window), End = Timestamp.FromDateTimeOffset(window.AddSeconds(59)) },
        });

    private static List<string> Entities(MeasureV1.TopNResponse response) =>
        [.. response.Lists.SelectMany(l => l.Items).Select(i => i.Entity.Single(t => t.Key == "entity_id").Value.Str.Value)];
}
