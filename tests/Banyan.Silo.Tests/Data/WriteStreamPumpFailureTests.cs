using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Data;
using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// <see cref="WriteStreamPump{TRequest, TResponse, TSpec}"/> when a batch's grain call fails, whether it throws before
/// it returns a task or its task faults: every message of that batch is answered INTERNAL_ERROR, the other batches keep
/// their outcomes, and the stream goes on.
/// </summary>
public sealed class WriteStreamPumpFailureTests
{
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "m" };

    [Fact]
    public async Task A_failed_grain_call_answers_its_own_batch_only_and_the_stream_goes_on()
    {
        // Batches of 2: messages 1-2 write fine, 3-4 throw at the call, 5-6 fault later, 7 writes fine.
        FailingPump pump = new(new WriteBatchingOptions { MaxMessages = 2, Linger = TimeSpan.FromSeconds(5), MaxInFlight = 4 });
        Requests requests = new([.. Enumerable.Range(1, 7).Select(i => ((ulong)i, i == 1 ? s_metadata : null))]);
        Responses responses = new();

        await pump.RunAsync(requests, responses, CancellationToken.None);

        Assert.Equal([1UL, 2UL, 3UL, 4UL, 5UL, 6UL, 7UL], responses.Written.Select(r => r.MessageId));
        Assert.Equal(
            ["STATUS_SUCCEED", "STATUS_SUCCEED", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_SUCCEED"],
            responses.Written.Select(r => r.Status));
        Assert.Equal([[1UL, 2UL], [3UL, 4UL], [5UL, 6UL], [7UL]], pump.Batches);
    }

    private sealed class FailingPump(WriteBatchingOptions options) : WriteStreamPump<(ulong Id, Metadata? Metadata), (ulong MessageId, string Status), int>(options)
    {
        public List<ulong[]> Batches { get; } = [];

        protected override int NoSpec => 0;

        protected override Metadata? MetadataOf((ulong Id, Metadata? Metadata) request) => request.Metadata;

        protected override bool TryTakeSpec((ulong Id, Metadata? Metadata) request, int current, out int spec)
        {
            spec = current;
            return false;
        }

        protected override ulong MessageIdOf((ulong Id, Metadata? Metadata) request) => request.Id;

        protected override Task<WriteOutcome> WriteAsync(Metadata metadata, int spec, ReadOnlySpan<(ulong Id, Metadata? Metadata)> requests, ulong[] messageIds)
        {
            Batches.Add([.. messageIds]);
            return messageIds[0] switch
            {
                3 => throw new InvalidOperationException("the grain call could not start"),
                5 => FaultLaterAsync(),
                _ => Task.FromResult(new WriteOutcome([.. Enumerable.Repeat(WriteStatus.Succeed, requests.Length)], [], 0)),
            };
        }

        protected override (ulong MessageId, string Status) Response(ulong messageId, string status, Metadata metadata) => (messageId, status);

        private static async Task<WriteOutcome> FaultLaterAsync()
        {
            await Task.Yield();
            throw new TimeoutException("the shard did not answer");
        }
    }

    private sealed class Requests((ulong, Metadata?)[] messages) : IAsyncStreamReader<(ulong Id, Metadata? Metadata)>
    {
        private int _next = -1;

        public (ulong Id, Metadata? Metadata) Current => messages[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_next < messages.Length);
    }

    private sealed class Responses : IServerStreamWriter<(ulong MessageId, string Status)>
    {
        public List<(ulong MessageId, string Status)> Written { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync((ulong MessageId, string Status) message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync((ulong MessageId, string Status) message, CancellationToken cancellationToken)
        {
            Written.Add(message);
            return Task.CompletedTask;
        }
    }
}
