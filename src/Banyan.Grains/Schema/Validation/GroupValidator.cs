using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>common.v1.Group</c>. From BanyanDB (<c>api/validate/validate.go</c> <c>Group</c> and
/// <c>GroupForNonProperty</c>, the protoc-gen-validate rules of <c>common.proto</c>): metadata and name
/// required; catalog specified; stream, measure and trace groups need <c>resource_opts</c> with
/// <c>shard_num</c> &gt; 0, <c>segment_interval</c> and <c>ttl</c> (<see cref="IntervalRules"/>); property groups
/// need <c>shard_num</c> &gt; 0 and no interval or TTL; lifecycle stages need a name, <c>shard_num</c> &gt; 0,
/// both intervals and a node selector. Banyan adds: the name is a folder name (<see cref="SchemaNames.RequireGroupName"/>)
/// and <c>shard_num</c> is at most <see cref="ShardOwners.MaxShards"/>.
/// </summary>
internal static class GroupValidator
{
    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field.</summary>
    public static void Validate(Group? group)
    {
        if (group is null)
        {
            throw new SchemaValidationException("group", "is required");
        }

        if (group.Metadata is null)
        {
            throw new SchemaValidationException("group.metadata", "is required");
        }

        SchemaNames.RequireGroupName("group.metadata.name", group.Metadata.Name);
        switch (group.Catalog)
        {
            case Catalog.Stream or Catalog.Measure or Catalog.Trace:
                ValidateTimeSeriesOptions(group.ResourceOpts);
                break;
            case Catalog.Property:
                ValidatePropertyOptions(group.ResourceOpts);
                break;
            case Catalog.Unspecified:
                throw new SchemaValidationException("group.catalog", "is unspecified; use CATALOG_STREAM or CATALOG_MEASURE");
            default:
                throw new SchemaValidationException("group.catalog", $"{(int)group.Catalog} is not a defined catalog");
        }
    }

    private static void ValidateTimeSeriesOptions(ResourceOpts? options)
    {
        if (options is null)
        {
            throw new SchemaValidationException("group.resource_opts", "is required (shard_num, segment_interval and ttl)");
        }

        RequireShardNum("group.resource_opts.shard_num", options.ShardNum);
        IntervalRules.Require("group.resource_opts.segment_interval", options.SegmentInterval);
        IntervalRules.Require("group.resource_opts.ttl", options.Ttl);
        for (int i = 0; i < options.Stages.Count; i++)
        {
            ValidateStage($"group.resource_opts.stages[{i}]", options.Stages[i]);
        }
    }

    private static void ValidatePropertyOptions(ResourceOpts? options)
    {
        if (options is null)
        {
            throw new SchemaValidationException("group.resource_opts", "is required (shard_num)");
        }

        RequireShardNum("group.resource_opts.shard_num", options.ShardNum);
        if (options.SegmentInterval is not null)
        {
            throw new SchemaValidationException("group.resource_opts.segment_interval", "must be absent in a CATALOG_PROPERTY group");
        }

        if (options.Ttl is not null)
        {
            throw new SchemaValidationException("group.resource_opts.ttl", "must be absent in a CATALOG_PROPERTY group");
        }
    }

    private static void ValidateStage(string field, LifecycleStage stage)
    {
        SchemaNames.RequireName($"{field}.name", stage.Name);
        RequireShardNum($"{field}.shard_num", stage.ShardNum);
        IntervalRules.Require($"{field}.segment_interval", stage.SegmentInterval);
        IntervalRules.Require($"{field}.ttl", stage.Ttl);
        if (stage.NodeSelector.Length == 0)
        {
            throw new SchemaValidationException($"{field}.node_selector", "is required");
        }
    }

    private static void RequireShardNum(string field, uint shardNum)
    {
        if (shardNum == 0)
        {
            throw new SchemaValidationException(field, "must be greater than 0");
        }

        if (shardNum > ShardOwners.MaxShards)
        {
            throw new SchemaValidationException(field, $"is {shardNum}; Banyan allows at most {ShardOwners.MaxShards} shards per group");
        }
    }
}
