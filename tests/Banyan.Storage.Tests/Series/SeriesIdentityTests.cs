using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Series;

/// <summary>
/// Series ids and element ids must equal BanyanDB's, because the conformance fixtures
/// (<c>../shared/conformance/banyandb</c>) carry them in their want files.
/// </summary>
public sealed class SeriesIdentityTests
{
    private static TagValue S(string s) => TagValue.FromString(s);

    [Fact]
    public void ServiceInstanceCpmMinuteMatchesFixtureComment()
    {
        // test/cases/measure/data/want/filter_hidden_tag.yaml: "# sid: 7941974329620232473".
        ulong id = SeriesKey.ComputeSeriesId("service_instance_cpm_minute", [S("svc_1"), S("entity_3")]);
        Assert.Equal(7941974329620232473UL, id);
    }

    [Theory]
    [InlineData("entity_1", 17296083384258897030UL)]
    [InlineData("entity_2", 13293155473432710288UL)]
    [InlineData("entity_3", 8985479151150409059UL)]
    public void ServiceCpmMinuteMatchesGenLeafEqStr(string entityId, ulong expected)
    {
        // test/cases/measure/data/want/gen_leaf_eq_str.yaml (entity: entity_id).
        Assert.Equal(expected, SeriesKey.ComputeSeriesId("service_cpm_minute", [S(entityId)]));
    }

    [Fact]
    public void ServiceTrafficMatchesIndexModeRange()
    {
        // test/cases/measure/data/want/index_mode_range.yaml: service_traffic, entity (id) = "2".
        Assert.Equal(3906119849472468294UL, SeriesKey.ComputeSeriesId("service_traffic", [S("2")]));
    }

    [Theory]
    [InlineData("default", "sw", "0", "0978df79cf4ed409")]
    public void StreamElementIdMatchesFixtureReadme(string group, string name, string elementId, string expected)
    {
        Assert.Equal(expected, StreamElementId.Format(group, name, elementId));
    }

    [Fact]
    public void KeyLayoutEscapesAndEncodesZigZagBigEndian()
    {
        byte[] key = SeriesKey.Encode("a|b", [S("x\\y"), TagValue.FromInt64(-1), TagValue.Null]);
        byte[] expected =
        [
            (byte)'a', (byte)'\\', (byte)'|', (byte)'b', (byte)'|',
            1, (byte)'x', (byte)'\\', (byte)'\\', (byte)'y', (byte)'|',
            2, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'|',
            0, (byte)'|',
        ];
        Assert.Equal(expected, key);
    }

    [Fact]
    public void LongValuesFullOfSeparatorsEncodeAsTheByteByByteRule()
    {
        // Past the writer's first buffer and its stack limit for UTF-8, with separators and escapes in every run.
        var random = new Random(5);
        for (int round = 0; round < 50; round++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(0, 3_000)).Select(_ => "ab|\\é€😀"[random.Next(7)]));
            byte[] binary = [.. Enumerable.Range(0, random.Next(0, 1_000)).Select(_ => (byte)random.Next(256))];
            List<byte> expected = [];
            Escaped(expected, System.Text.Encoding.UTF8.GetBytes("cpu|"));
            expected.Add(1);
            Escaped(expected, System.Text.Encoding.UTF8.GetBytes(text));
            expected.Add((byte)TagValueKind.Binary);
            Escaped(expected, binary);
            TagValue[] entity = [S(text), TagValue.FromBinary(binary)];
            Assert.Equal(expected, SeriesKey.Encode("cpu|", entity));
            Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64([.. expected]), SeriesKey.ComputeSeriesId("cpu|", entity));
        }

        static void Escaped(List<byte> into, byte[] bytes)
        {
            foreach (byte b in bytes)
            {
                if (b is (byte)'|' or (byte)'\\')
                {
                    into.Add((byte)'\\');
                }

                into.Add(b);
            }

            into.Add((byte)'|');
        }
    }

    [Fact]
    public void KeyDecodesBackToEntity()
    {
        var random = new Random(77);
        for (int round = 0; round < 200; round++)
        {
            var entity = new List<TagValue>();
            int n = random.Next(0, 5);
            for (int i = 0; i < n; i++)
            {
                entity.Add(random.Next(5) switch
                {
                    0 => TagValue.FromInt64(random.NextInt64(long.MinValue, long.MaxValue)),
                    1 => TagValue.FromBinary([(byte)'|', (byte)random.Next(256), (byte)'\\']),
                    2 => TagValue.Null,
                    3 => TagValue.FromTimestampNanos(random.NextInt64()),
                    _ => S("s|\\" + random.Next()),
                });
            }

            var (subject, decoded) = SeriesKey.Decode(SeriesKey.Encode("m|\\", entity));
            Assert.Equal("m|\\", subject);
            Assert.True(entity.SequenceEqual(decoded), $"seed 77 round {round}");
        }
    }

    [Fact]
    public void ShardIsStableAndInRange()
    {
        var values = new[] { S("svc_1"), TagValue.FromInt64(5) };
        uint shard = ShardRouting.ComputeShard("service_instance_cpm_minute", values, 2);
        Assert.InRange(shard, 0u, 1u);
        Assert.Equal(shard, ShardRouting.ComputeShard("service_instance_cpm_minute", values, 2));
        Assert.Equal(ShardRouting.ComputeRoutingHash("m", [S("ab"), S("c")]), ShardRouting.ComputeRoutingHash("m", [S("a"), S("bc")]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardRouting.ComputeShard("m", values, 0));
    }
}
