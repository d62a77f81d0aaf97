using System.Globalization;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using DatabaseV1 = Banyan.Api.Database.V1;
using SegmentInfo = Banyan.GrainInterfaces.Groups.SegmentInfo;

namespace Banyan.Silo.Registry;

/// <summary>
/// BanyanDB's <c>GroupRegistryService/Inspect</c> from the grains: the group, what schemas it holds, and what each silo
/// stores of it: per node, per segment of the group's registry (the segments a query would read, and those whose TTL
/// ran out but whose shards are not dropped yet), per shard its rows, parts and bytes on disk (<c>IShardGrain.GetStats</c>
/// on the shard's owner). Banyan keeps no liaison buffers and a series index per shard, not per segment, so
/// <c>liaison_info</c> and <c>series_index_info</c> are left out.
/// </summary>
internal static class GroupInspection
{
    /// <summary>The answer for <paramref name="group"/>.</summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    /// <exception cref="ShardUnavailableException">A shard's owner cannot be reached (retry).</exception>
    public static async Task<GroupRegistryServiceInspectResponse> InspectAsync(IGrainFactory grains, string group)
    {
        IMetadataGrain catalog = grains.Catalog();
        Group schema = (Group)await catalog.Get(SchemaKey.ForGroup(group));
        GroupContents contents = (await catalog.DeleteGroup(group, dryRun: true)).Contents!;
        GroupRegistryServiceInspectResponse response = new()
        {
            Group = schema,
            SchemaInfo = new SchemaInfo
            {
                Streams = { contents.Streams },
                Measures = { contents.Measures },
                IndexRules = { contents.IndexRules },
                IndexRuleBindings = { contents.IndexRuleBindings },
                TopnAggregations = { contents.TopNAggregations },
            },
        };

        IGroupGrain groupGrain = grains.GetGrain<IGroupGrain>(group);
        SegmentListing listing = await groupGrain.GetSegmentListing();
        SegmentInfo[] written = [.. listing.Segments.Where(s => !s.Shards.IsDefaultOrEmpty)];
        if (written.Length == 0)
        {
            return response;
        }

        ShardOwners owners = await groupGrain.GetShardOwners(written.Max(s => s.Shards.Max()) + 1);
        var reads = written.SelectMany(segment => segment.Shards.Select(async shard =>
        {
            ShardGrainKey key = new(group, segment.Start, shard);
            return (Segment: segment, Shard: shard, Stats: await grains.CallShardAsync(key, owners.OwnerOf(shard), g => g.GetStats()));
        }));
        (SegmentInfo Segment, int Shard, ShardStats Stats)[] shards = await Task.WhenAll(reads);
        foreach (var node in shards.GroupBy(s => s.Stats.Node, StringComparer.Ordinal).OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            DataInfo data = new() { Node = new Node { Metadata = new Metadata { Name = node.Key } } };
            foreach (var segment in node.GroupBy(s => s.Segment.Start).OrderBy(s => s.Key))
            {
                SegmentInfo info = segment.First().Segment;
                DatabaseV1.SegmentInfo segmentInfo = new()
                {
                    SegmentId = "seg-" + new ShardGrainKey(group, info.Start, 0).SegmentText,
                    TimeRangeStart = info.Start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    TimeRangeEnd = info.End.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                };
                foreach ((SegmentInfo _, int shard, ShardStats stats) in segment.OrderBy(s => s.Shard))
                {
                    segmentInfo.ShardInfo.Add(new ShardInfo
                    {
                        ShardId = (uint)shard,
                        DataCount = stats.Rows,
                        DataSizeBytes = stats.DiskBytes,
                        PartCount = stats.MemoryParts + stats.DiskParts,
                        FilePartCount = stats.DiskParts,
                    });
                    data.DataSizeBytes += stats.DiskBytes;
                }

                data.SegmentInfo.Add(segmentInfo);
            }

            response.DataInfo.Add(data);
        }

        return response;
    }
}
