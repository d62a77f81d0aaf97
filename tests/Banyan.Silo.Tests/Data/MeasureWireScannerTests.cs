using System.Buffers;
using Banyan.Api.Model.V1;
using Banyan.Silo.Data;
using Banyan.Silo.Grpc;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// The measure write stream's reader keeps each message's data point as bytes and parses metadata and spec only when
/// their bytes change; what it cannot vouch for goes through Google.Protobuf, with the same meaning and the same errors.
/// </summary>
public sealed class MeasureWireScannerTests
{
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "cpm", ModRevision = 3 };

    [Fact]
    public void A_message_keeps_its_data_point_bytes_and_repeated_metadata_is_parsed_once()
    {
        MeasureV1.WriteRequest first = Request(5, "e1");
        first.DataPointSpec = new MeasureV1.DataPointSpec { FieldNames = { "value" } };
        first.DataPoint.Version = 42;
        MeasureWireScanner scanner = new();
        MeasureWireRequest a = scanner.Scan(new ReadOnlySequence<byte>(first.ToByteArray()));
        MeasureWireRequest b = scanner.Scan(new ReadOnlySequence<byte>(Request(6, "e2").ToByteArray()));

        Assert.Equal(s_metadata, a.Metadata);
        Assert.Same(a.Metadata, b.Metadata);
        Assert.Equal(first.DataPointSpec, a.Spec);
        Assert.Null(b.Spec);
        Assert.Equal((5UL, 42L, true), (a.MessageId, a.Version, a.HasDataPoint));
        Assert.Equal(first.DataPoint.ToByteArray(), a.DataPoint.ToArray());
        Assert.Equal(6UL, b.MessageId);

        MeasureWireRequest empty = scanner.Scan(new ReadOnlySequence<byte>(new MeasureV1.WriteRequest { MessageId = 9 }.ToByteArray()));
        Assert.Equal((9UL, false, 0), (empty.MessageId, empty.HasDataPoint, empty.DataPoint.Length));
        Assert.Null(empty.Metadata);
    }

    [Fact]
    public void A_message_split_across_buffers_reads_the_same()
    {
        byte[] bytes = Request(5, "e1").ToByteArray();
        ReadOnlySequence<byte> split = Segments.Of(bytes[..7], bytes[7..20], bytes[20..]);
        MeasureWireRequest request = new MeasureWireScanner().Scan(split);
        Assert.Equal(Request(5, "e1").DataPoint.ToByteArray(), request.DataPoint.ToArray());
    }

    [Fact]
    public void A_data_point_sent_twice_is_merged_as_the_parser_merges_it()
    {
        MeasureV1.WriteRequest first = Request(5, "e1");
        MeasureV1.WriteRequest second = new() { DataPoint = new MeasureV1.DataPointValue { Version = 8 } };
        byte[] concatenated = [.. first.ToByteArray(), .. second.ToByteArray()];
        MeasureWireRequest request = new MeasureWireScanner().Scan(new ReadOnlySequence<byte>(concatenated));
        MeasureV1.WriteRequest merged = MeasureV1.WriteRequest.Parser.ParseFrom(concatenated);
        Assert.Equal(8, request.Version);
        Assert.Equal(merged.DataPoint, MeasureV1.DataPointValue.Parser.ParseFrom(request.DataPoint.ToArray()));
    }

    // A message malformed at its own level or at the data point's gets the parser's error, which ends the stream; a
    // point malformed inside is kept as it is, for the measure grain to refuse alone (WireDataPointPlanTests,
    // WriteProtocolTests): the stream no longer walks a point's inside (docs/api.md, "Measure data points stay encoded").
    [Fact]
    public void Bytes_that_do_not_parse_at_the_message_s_or_the_point_s_level_get_the_parser_s_error()
    {
        byte[] bytes = Request(5, "AAAA").ToByteArray();
        byte[] truncated = bytes[..^5]; // inside the data point's last field: its length runs past the end
        byte[] badLength = [.. bytes, 0x12, 0x7F]; // a data point declared 127 bytes long, with none left
        byte[] pointCut = Request(5, "AAAA").ToByteArray();
        int point = pointCut.AsSpan().IndexOf("AAAA"u8);
        pointCut[point - 1] = 0x7F; // the entity string's length (within the point) now runs past the point's end
        foreach (byte[] bad in new[] { truncated, badLength })
        {
            RpcException expected = Assert.Throws<RpcException>(() => PipeMessageReader.Parse(MeasureV1.WriteRequest.Parser, new ReadOnlySequence<byte>(bad)));
            RpcException actual = Assert.Throws<RpcException>(() => new MeasureWireScanner().Scan(new ReadOnlySequence<byte>(bad)));
            Assert.Equal(StatusCode.InvalidArgument, actual.StatusCode);
            Assert.Equal(expected.Status.Detail, actual.Status.Detail);
        }

        // Malformed inside the point only (the parser refuses the message, the scanner keeps the point's bytes).
        byte[] badUtf8 = (byte[])bytes.Clone();
        badUtf8[bytes.AsSpan().IndexOf("AAAA"u8)] = 0xC3; // a lead byte followed by 'A'
        foreach (byte[] inside in new[] { badUtf8, pointCut })
        {
            Assert.Throws<RpcException>(() => PipeMessageReader.Parse(MeasureV1.WriteRequest.Parser, new ReadOnlySequence<byte>(inside)));
            MeasureWireRequest kept = new MeasureWireScanner().Scan(new ReadOnlySequence<byte>(inside));
            Assert.True(kept.HasDataPoint);
            Assert.Equal(5UL, kept.MessageId);
            Assert.Throws<InvalidProtocolBufferException>(() => MeasureV1.DataPointValue.Parser.ParseFrom(kept.DataPoint.ToArray()));
        }
    }

    private static MeasureV1.WriteRequest Request(ulong messageId, string entity) => new()
    {
        Metadata = s_metadata,
        MessageId = messageId,
        DataPoint = new MeasureV1.DataPointValue
        {
            Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero)),
            TagFamilies = { new TagFamilyForWrite { Tags = { new TagValue { Str = new Str { Value = entity } } } } },
            Fields = { new FieldValue { Float = new Float { Value = 1.5 } } },
        },
    };

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(params byte[][] parts)
        {
            Segments first = new(parts[0], 0);
            Segments last = first;
            for (int i = 1; i < parts.Length; i++)
            {
                Segments next = new(parts[i], last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
