using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Banyan.Silo.Grpc;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Grpc;

/// <summary>
/// The write streams' raw message reader and response sinks: messages in any cut of reads, every wire error with the
/// status Grpc.AspNetCore gives it, responses framed as gRPC frames them and held back until a flush is asked for.
/// </summary>
public sealed class PipeMessageStreamTests
{
    private const int Max = 1024;

    [Theory]
    [InlineData(1_000_000)] // every message in one read
    [InlineData(1)]         // one byte per read: headers and payloads cut everywhere
    [InlineData(7)]
    public async Task Every_message_is_read_whole_and_in_order_however_the_bytes_arrive(int chunk)
    {
        MeasureV1.WriteRequest[] sent = [.. Enumerable.Range(1, 50).Select(Request)];
        byte[] wire = [.. sent.SelectMany(Frame)];
        Pipe pipe = new();
        Task feeding = FeedAsync(pipe.Writer, wire, chunk);
        PipeMessageReader<MeasureV1.WriteRequest> reader = PipeMessageReader.Parsing(pipe.Reader, MeasureV1.WriteRequest.Parser, Max);

        List<MeasureV1.WriteRequest> received = [];
        while (await reader.MoveNext(CancellationToken.None))
        {
            received.Add(reader.Current);
        }

        await feeding;
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task An_empty_body_has_no_message()
    {
        Pipe pipe = new();
        await pipe.Writer.CompleteAsync();
        Assert.False(await PipeMessageReader.Parsing(pipe.Reader, MeasureV1.WriteRequest.Parser, Max).MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task A_message_over_the_limit_is_RESOURCE_EXHAUSTED_before_its_bytes_arrive()
    {
        byte[] header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), Max + 1);
        RpcException e = await ReadAllFailsAsync(header, complete: false);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task A_message_that_does_not_decode_is_INVALID_ARGUMENT_with_the_reason()
    {
        byte[] garbage = [0xFF, 0xFF, 0xFF, 0xFF];
        RpcException e = await ReadAllFailsAsync([.. Frame(Request(1)), .. FrameOf(garbage)], complete: true);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("The request is not a valid WriteRequest message: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_ends_inside_a_message_is_INTERNAL()
    {
        byte[] whole = Frame(Request(1));
        RpcException e = await ReadAllFailsAsync(whole[..^2], complete: true);
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("Incomplete message.", e.Status.Detail);
    }

    [Fact]
    public async Task A_compressed_message_without_an_encoding_is_INTERNAL()
    {
        byte[] frame = Frame(Request(1));
        frame[0] = 1;
        RpcException e = await ReadAllFailsAsync(frame, complete: true);
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task Responses_appended_from_their_fields_are_the_messages_bytes_and_wait_for_the_flush()
    {
        Pipe pipe = new();
        Metadata metadata = new() { Group = "g", Name = "m", ModRevision = 7 };
        PipeResponseSink sink = new(pipe.Writer, CancellationToken.None);

        sink.Append(1, "STATUS_SUCCEED", metadata);
        sink.Append(300, "STATUS_NOT_FOUND", metadata);
        Assert.False(pipe.Reader.TryRead(out _)); // appended: nothing reached the body yet

        await sink.FlushAsync(CancellationToken.None);
        Assert.True(pipe.Reader.TryRead(out ReadResult read));
        Assert.Equal(
            [.. Frame(new MeasureV1.WriteResponse { MessageId = 1, Status = "STATUS_SUCCEED", Metadata = metadata }), .. Frame(new MeasureV1.WriteResponse { MessageId = 300, Status = "STATUS_NOT_FOUND", Metadata = metadata })],
            read.Buffer.ToArray());
    }

    [Fact]
    public async Task A_batch_reaches_the_body_only_at_its_flush_in_a_few_calls_and_the_next_batch_starts_empty()
    {
        // Kestrel's body writer takes the HTTP/2 stream's output lock in every GetSpan and Advance: a batch of 3,000
        // responses (about 90 KB, more than one of the body's segments) must not cost two of them per response.
        Pipe pipe = new(new PipeOptions(pauseWriterThreshold: 0));
        CountingPipeWriter body = new(pipe.Writer);
        Metadata metadata = new() { Group = "g", Name = "m", ModRevision = 7 };
        PipeResponseSink sink = new(body, CancellationToken.None);
        List<byte> expected = [];

        for (int batch = 0; batch < 2; batch++)
        {
            int count = batch == 0 ? 3_000 : 2;
            for (int i = 1; i <= count; i++)
            {
                ulong id = (ulong)((batch * 10_000) + i);
                string status = i % 7 == 0 ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED";
                sink.Append(id, status, metadata);
                expected.AddRange(Frame(new MeasureV1.WriteResponse { MessageId = id, Status = status, Metadata = metadata }));
            }

            Assert.Equal(0, body.Calls); // appended: the body not touched yet
            await sink.FlushAsync(CancellationToken.None);
            Assert.InRange(body.Calls, 1, 2 * ((expected.Count / 4096) + 2));
            body.Calls = 0;
        }

        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.Equal(expected.ToArray(), read.Buffer.ToArray()); // each response once, in order, the second batch after the first
    }

    [Fact]
    public async Task Through_grpc_s_writer_a_batch_is_written_at_the_flush_with_every_response_but_the_last_buffered()
    {
        Metadata metadata = new() { Group = "g", Name = "m" };
        RecordingWriter writer = new();
        ServerStreamResponseSink<MeasureV1.WriteResponse> sink = new(writer, static (id, status, m) => new MeasureV1.WriteResponse { MessageId = id, Status = status, Metadata = m });

        sink.Append(1, "STATUS_SUCCEED", metadata);
        sink.Append(2, "STATUS_NOT_FOUND", metadata);
        sink.Append(3, "STATUS_SUCCEED", metadata);
        Assert.Empty(writer.Written); // appended: nothing written before the flush

        await sink.FlushAsync(CancellationToken.None);
        Assert.Equal([(1UL, "STATUS_SUCCEED", true), (2UL, "STATUS_NOT_FOUND", true), (3UL, "STATUS_SUCCEED", false)], writer.Written);

        // The next batch starts empty.
        sink.Append(4, "STATUS_SUCCEED", metadata);
        await sink.FlushAsync(CancellationToken.None);
        Assert.Equal((4UL, "STATUS_SUCCEED", false), writer.Written[^1]);
        Assert.Equal(4, writer.Written.Count);
    }

    // Grpc.AspNetCore's writer as the sink sees it: each message with whether it was only to be buffered.
    // Counts the calls that reach the body (GetSpan, GetMemory, Advance), passing each on.
    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public int Calls { get; set; }

        public override void Advance(int bytes)
        {
            Calls++;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            Calls++;
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            Calls++;
            return inner.GetSpan(sizeHint);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
    }

    private sealed class RecordingWriter : IServerStreamWriter<MeasureV1.WriteResponse>
    {
        public List<(ulong Id, string Status, bool Buffered)> Written { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(MeasureV1.WriteResponse message)
        {
            Written.Add((message.MessageId, message.Status, (WriteOptions?.Flags & WriteFlags.BufferHint) == WriteFlags.BufferHint));
            return Task.CompletedTask;
        }
    }

    private static MeasureV1.WriteRequest Request(int i) => new()
    {
        MessageId = (ulong)i,
        Metadata = i % 10 == 1 ? new Metadata { Group = "g", Name = "m" + i } : null,
        DataPoint = new MeasureV1.DataPointValue { Version = i * 1000L },
    };

    private static byte[] Frame(IMessage message) => FrameOf(message.ToByteArray());

    private static byte[] FrameOf(byte[] payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static async Task FeedAsync(PipeWriter writer, byte[] wire, int chunk)
    {
        for (int at = 0; at < wire.Length; at += chunk)
        {
            await writer.WriteAsync(wire.AsMemory(at, Math.Min(chunk, wire.Length - at)));
        }

        await writer.CompleteAsync();
    }

    private static async Task<RpcException> ReadAllFailsAsync(byte[] wire, bool complete)
    {
        Pipe pipe = new();
        await pipe.Writer.WriteAsync(wire);
        if (complete)
        {
            await pipe.Writer.CompleteAsync();
        }

        PipeMessageReader<MeasureV1.WriteRequest> reader = PipeMessageReader.Parsing(pipe.Reader, MeasureV1.WriteRequest.Parser, Max);
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await reader.MoveNext(CancellationToken.None))
            {
            }
        });
    }
}
