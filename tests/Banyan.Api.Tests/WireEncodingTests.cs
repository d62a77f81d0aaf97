using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using DatabaseV1 = Banyan.Api.Database.V1;
using PropertyV1 = Banyan.Api.Property.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Api.Tests;

/// <summary>
/// Golden bytes for the fields issue 12 found misnumbered or missing: what a BanyanDB client puts on the wire
/// for them, byte by byte (tag = number &lt;&lt; 3 | wire type, as a varint).
/// </summary>
public sealed class WireEncodingTests
{
    [Fact]
    public void Property_query_order_sort_is_field_12()
    {
        PropertyV1.QueryOrder order = new() { TagName = "a", Sort = Sort.Asc };

        // 0x0A = field 1, length-delimited; 0x60 = field 12, varint.
        Assert.Equal(Bytes("0A 01 61 60 02"), order.ToByteArray());
        Assert.Equal(order, PropertyV1.QueryOrder.Parser.ParseFrom(Bytes("0A 01 61 60 02")));
    }

    [Fact]
    public void Stream_query_group_mod_revisions_is_map_field_50()
    {
        StreamV1.QueryRequest request = new() { GroupModRevisions = { ["g"] = 3 } };

        // 0x92 0x03 = field 50, length-delimited; the entry is key (field 1) "g", value (field 2) 3.
        Assert.Equal(Bytes("92 03 05 0A 01 67 10 03"), request.ToByteArray());
    }

    [Fact]
    public void Stream_query_group_statuses_is_map_field_50_of_status()
    {
        StreamV1.QueryResponse response = new() { GroupStatuses = { ["g"] = Status.SchemaNotApplied } };

        Assert.Equal(Bytes("92 03 05 0A 01 67 10 0A"), response.ToByteArray());
    }

    [Fact]
    public void Group_pipeline_is_field_6_with_explicit_presence()
    {
        // proto3 optional: an empty pipeline is written (and differs from none).
        Group withEmptyPipeline = new() { Pipeline = new TracePipelineConfig() };

        Assert.Equal(Bytes("32 00"), withEmptyPipeline.ToByteArray());
        Assert.NotNull(Group.Parser.ParseFrom(Bytes("32 00")).Pipeline);
        Assert.Null(Group.Parser.ParseFrom([]).Pipeline);
    }

    [Fact]
    public void Property_registry_list_response_properties_is_field_1()
    {
        DatabaseV1.PropertyRegistryServiceListResponse response = new()
        {
            Properties = { new DatabaseV1.Property { Metadata = new Metadata { Name = "p" } } },
        };

        // field 1 (0x0A) holding Property{metadata (0x0A) = Metadata{name (0x12) = "p"}}.
        Assert.Equal(Bytes("0A 05 0A 03 12 01 70"), response.ToByteArray());
    }

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
