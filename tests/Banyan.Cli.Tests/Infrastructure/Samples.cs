namespace Banyan.Cli.Tests.Infrastructure;

/// <summary>bydbctl-shaped schema files (the bare schema, snake_case or lowerCamelCase, as bydbctl's own tests write them).</summary>
public static class Samples
{
    public static string MeasureGroup(string name) => $"""
        metadata:
          name: {name}
        catalog: CATALOG_MEASURE
        resource_opts:
          shard_num: 2
          segment_interval:
            unit: UNIT_DAY
            num: 1
          ttl:
            unit: UNIT_DAY
            num: 7
        """;

    public static string StreamGroup(string name) => $"""
        metadata:
          name: {name}
        catalog: CATALOG_STREAM
        resource_opts:
          shard_num: 1
          segment_interval:
            unit: UNIT_DAY
            num: 1
          ttl:
            unit: UNIT_DAY
            num: 3
        """;

    /// <summary>A measure (group from the file or from -g when <paramref name="group"/> is null).</summary>
    public static string Measure(string? group, string name) => $"""
        metadata:
          name: {name}
        {(group is null ? string.Empty : $"  group: {group}")}
        tag_families:
          - name: default
            tags:
              - name: id
                type: TAG_TYPE_STRING
              - name: entity_id
                type: TAG_TYPE_STRING
        fields:
          - name: total
            field_type: FIELD_TYPE_INT
            encoding_method: ENCODING_METHOD_GORILLA
            compression_method: COMPRESSION_METHOD_ZSTD
          - name: value
            field_type: FIELD_TYPE_INT
            encoding_method: ENCODING_METHOD_GORILLA
            compression_method: COMPRESSION_METHOD_ZSTD
        entity:
          tagNames: ["entity_id"]
        interval: 1m
        """;

    public static string Stream(string group, string name) => $"""
        metadata:
          name: {name}
          group: {group}
        tag_families:
          - name: searchable
            tags:
              - name: service_id
                type: TAG_TYPE_STRING
              - name: level
                type: TAG_TYPE_INT
        entity:
          tag_names: ["service_id"]
        """;
}
