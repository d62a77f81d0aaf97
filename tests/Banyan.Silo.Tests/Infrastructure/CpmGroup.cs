using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Data;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Infrastructure;

/// <summary>
/// A measure group with the <c>cpm</c> measure of <see cref="WriteSchemas"/> on a <see cref="SiloHostProcess"/>, for the
/// tests that write a few points over gRPC and count what a query answers (deletions, damaged shards).
/// </summary>
/// <param name="Name">The group.</param>
/// <param name="Metadata">The measure's metadata as stored (what the first write message carries).</param>
/// <param name="Time">The points' time: ten minutes ago, whole milliseconds.</param>
public sealed record CpmGroup(string Name, Metadata Metadata, DateTimeOffset Time)
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    /// <summary>Creates the group and its measure through the registries.</summary>
    public static async Task<CpmGroup> CreateAsync(RegistryClients registry, string group)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
        return new CpmGroup(group, metadata, DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()));
    }

    /// <summary>Writes one point per entity at <see cref="Time"/> over one write stream and returns the responses.</summary>
    public Task<List<MeasureV1.WriteResponse>> WriteAsync(SiloHostProcess host, params string[] entities)
    {
        ArgumentNullException.ThrowIfNull(host);
        return WriteExchange.MeasureAsync(host.Channel, [.. entities.Select((entity, i) => WriteSchemas.Point(i == 0 ? Metadata : null, (ulong)(i + 1), Time, entity, 10 + i, 1.5))]);
    }

    /// <summary>The points a query of the minute around <see cref="Time"/> answers.</summary>
    public async Task<int> CountAsync(SiloHostProcess host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return (await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(Query(), deadline: Deadline)).DataPoints.Count;
    }

    /// <summary>The query <see cref="CountAsync"/> sends.</summary>
    public MeasureV1.QueryRequest Query() => new()
    {
        Groups = { Name },
        Name = "cpm",
        TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(Time.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(Time.AddMinutes(1)) },
        TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
        FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
    };

    /// <summary>Overwrites the magic of every WAL file of the group's shards (the silo stopped): their next open fails.</summary>
    /// <returns>The files damaged.</returns>
    public async Task<string[]> DamageWalFilesAsync(SiloHostProcess host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string[] files = Directory.GetFiles(Path.Combine(host.DataRoot, Name), "*.wal", SearchOption.AllDirectories);
        foreach (string file in files)
        {
            await using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync("XXXX"u8.ToArray());
        }

        return files;
    }
}
