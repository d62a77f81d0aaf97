using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance.Cases;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;
using Banyan.Tests.Shared.Grpc;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// A gRPC server for testing the harness end to end (not a database): it keeps the schemas it is given, acknowledges
/// writes the way BanyanDB's liaison does (refusals at once, one <c>STATUS_SUCCEED</c> per request at the end, in
/// reverse order), learns B from the first stream element written, and answers each query with the want of the
/// case whose input and window it matches (an error for <c>wantErr</c>, nothing for <c>wantEmpty</c>). A harness
/// that seeds, builds requests and compares as upstream does passes every case against it.
/// </summary>
internal sealed class ReplayServer : IAsyncDisposable
{
    private readonly LoopbackGrpcServer _server;

    private ReplayServer(LoopbackGrpcServer server, ReplayBook book)
    {
        _server = server;
        Book = book;
    }

    public Uri Address => _server.Address;

    public ReplayBook Book { get; }

    public static async Task<ReplayServer> StartAsync(ConformanceFixtures fixtures, CancellationToken cancellationToken)
    {
        ReplayBook book = new(fixtures);
        LoopbackGrpcServer server = await LoopbackGrpcServer.StartAsync(
            services => services.AddSingleton(book),
            endpoints =>
            {
                endpoints.MapGrpcService<Registries.Groups>();
                endpoints.MapGrpcService<Registries.Streams>();
                endpoints.MapGrpcService<Registries.Measures>();
                endpoints.MapGrpcService<Registries.IndexRules>();
                endpoints.MapGrpcService<Registries.Bindings>();
                endpoints.MapGrpcService<Registries.TopNAggregations>();
                endpoints.MapGrpcService<StreamData>();
                endpoints.MapGrpcService<MeasureData>();
            },
            HttpProtocols.Http2,
            cancellationToken);
        return new ReplayServer(server, book);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>The server's state: schemas, B, and how it answers queries.</summary>
    internal sealed class ReplayBook(ConformanceFixtures fixtures)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, IMessage> _schemas = [];
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<(ConformanceCase, IMessage)>> _requests = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IMessage> _answers = new();
        private long _revision;

        public BaseTime? BaseTime { get; private set; }

        /// <summary>Changes the answer for a case (to test that the harness notices).</summary>
        public Func<ConformanceCase, IMessage, IMessage>? Tamper { get; set; }

        public int Writes { get; private set; }

        public void Store(string kind, Metadata metadata, IMessage schema)
        {
            lock (_lock)
            {
                metadata.ModRevision = ++_revision;
                _schemas[$"{kind} {metadata.Group}/{metadata.Name}"] = schema;
            }
        }

        public T Get<T>(string kind, Metadata metadata)
            where T : IMessage
        {
            lock (_lock)
            {
                return _schemas.TryGetValue($"{kind} {metadata.Group}/{metadata.Name}", out IMessage? schema)
                    ? (T)schema
                    : throw new RpcException(new Status(StatusCode.NotFound, $"{kind} {metadata.Group}/{metadata.Name} not found"));
            }
        }

        public void Wrote(Google.Protobuf.WellKnownTypes.Timestamp? firstStreamElement)
        {
            lock (_lock)
            {
                Writes++;
                if (BaseTime is null && firstStreamElement is not null)
                {
                    // Seed step 0 writes element 0 of default/sw at B exactly.
                    BaseTime = new BaseTime(Seeding.BaseTime.ToEpochMillis(firstStreamElement));
                }
            }
        }

        public IMessage Answer(string suiteName, IMessage request)
        {
            BaseTime b = BaseTime ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "nothing written yet"));
            ConformanceSuite suite = fixtures.Cases.Get(suiteName);
            List<(ConformanceCase Case, IMessage Request)> requests = _requests.GetOrAdd(suiteName, _ => [.. suite.Cases.Select(c => (c, CaseRequests.Build(fixtures, suite, c, b)))]);
            List<ConformanceCase> matches = [.. requests.Where(r => r.Request.Equals(request)).Select(r => r.Case)];
            if (matches.Count == 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, "no case has this request"));
            }

            // Some cases share a request but keep their own want file (e.g. "filter by tag with NE" and "gen: leaf NE
            // string"): the wants differ only in ignored fields or in order under disOrder. Answer with the want of an
            // ordered case and require every matching case to accept it, as one server answer must satisfy them all.
            ConformanceCase chosen = matches.OrderBy(c => c.DisOrder).First();
            IMessage answer = AnswerFor(suite, chosen);
            if (!chosen.WantErr && !chosen.WantEmpty)
            {
                foreach (ConformanceCase other in matches.Where(c => c != chosen))
                {
                    if (other.WantErr || other.WantEmpty || !new Comparison.ResponseComparer(suite).Compare(other, AnswerFor(suite, other), answer).Equal)
                    {
                        throw new RpcException(new Status(StatusCode.Internal, $"cases '{chosen.Name}' and '{other.Name}' share a request but no answer satisfies both"));
                    }
                }
            }
            else if (matches.Any(c => c.WantErr != chosen.WantErr || c.WantEmpty != chosen.WantEmpty))
            {
                throw new RpcException(new Status(StatusCode.Internal, $"cases {string.Join(", ", matches.Select(c => c.Name))} share a request but expect different outcomes"));
            }

            return Tamper is null ? answer : Tamper(chosen, answer);
        }

        private IMessage AnswerFor(ConformanceSuite suite, ConformanceCase c) => _answers.GetOrAdd(c.Key, _ => ReadAnswer(suite, c));

        private IMessage ReadAnswer(ConformanceSuite suite, ConformanceCase c)
        {
            if (c.WantErr)
            {
                return new Google.Protobuf.WellKnownTypes.Empty();
            }

            if (c.WantEmpty)
            {
                return (IMessage)Activator.CreateInstance(suite.ResponseType.ClrType)!;
            }

            IMessage want = CaseRequests.ReadWant(fixtures, suite, c);
            if (want is MeasureV1.QueryResponse measure)
            {
                foreach (MeasureV1.DataPoint point in measure.DataPoints)
                {
                    (point.Version, point.Sid) = (1, 1);
                }
            }

            return want;
        }
    }

    private static class Registries
    {
        public sealed class Groups(ReplayBook book) : GroupRegistryService.GroupRegistryServiceBase
        {
            public override Task<GroupRegistryServiceCreateResponse> Create(GroupRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("group", request.Group.Metadata, request.Group);
                return Task.FromResult(new GroupRegistryServiceCreateResponse());
            }
        }

        public sealed class Streams(ReplayBook book) : StreamRegistryService.StreamRegistryServiceBase
        {
            public override Task<StreamRegistryServiceCreateResponse> Create(StreamRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("stream", request.Stream.Metadata, request.Stream);
                return Task.FromResult(new StreamRegistryServiceCreateResponse { ModRevision = request.Stream.Metadata.ModRevision });
            }

            public override Task<StreamRegistryServiceGetResponse> Get(StreamRegistryServiceGetRequest request, ServerCallContext context) =>
                Task.FromResult(new StreamRegistryServiceGetResponse { Stream = book.Get<Banyan.Api.Database.V1.Stream>("stream", request.Metadata) });
        }

        public sealed class Measures(ReplayBook book) : MeasureRegistryService.MeasureRegistryServiceBase
        {
            public override Task<MeasureRegistryServiceCreateResponse> Create(MeasureRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("measure", request.Measure.Metadata, request.Measure);
                return Task.FromResult(new MeasureRegistryServiceCreateResponse { ModRevision = request.Measure.Metadata.ModRevision });
            }

            public override Task<MeasureRegistryServiceGetResponse> Get(MeasureRegistryServiceGetRequest request, ServerCallContext context) =>
                Task.FromResult(new MeasureRegistryServiceGetResponse { Measure = book.Get<Measure>("measure", request.Metadata) });
        }

        public sealed class IndexRules(ReplayBook book) : IndexRuleRegistryService.IndexRuleRegistryServiceBase
        {
            public override Task<IndexRuleRegistryServiceCreateResponse> Create(IndexRuleRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("index rule", request.IndexRule.Metadata, request.IndexRule);
                return Task.FromResult(new IndexRuleRegistryServiceCreateResponse());
            }
        }

        public sealed class Bindings(ReplayBook book) : IndexRuleBindingRegistryService.IndexRuleBindingRegistryServiceBase
        {
            public override Task<IndexRuleBindingRegistryServiceCreateResponse> Create(IndexRuleBindingRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("binding", request.IndexRuleBinding.Metadata, request.IndexRuleBinding);
                return Task.FromResult(new IndexRuleBindingRegistryServiceCreateResponse());
            }
        }

        public sealed class TopNAggregations(ReplayBook book) : TopNAggregationRegistryService.TopNAggregationRegistryServiceBase
        {
            public override Task<TopNAggregationRegistryServiceCreateResponse> Create(TopNAggregationRegistryServiceCreateRequest request, ServerCallContext context)
            {
                book.Store("topn", request.TopNAggregation.Metadata, request.TopNAggregation);
                return Task.FromResult(new TopNAggregationRegistryServiceCreateResponse());
            }
        }
    }

    private sealed class StreamData(ReplayBook book) : StreamV1.StreamService.StreamServiceBase
    {
        public override async Task Write(IAsyncStreamReader<StreamV1.WriteRequest> requestStream, IServerStreamWriter<StreamV1.WriteResponse> responseStream, ServerCallContext context)
        {
            List<ulong> ids = [];
            Metadata? metadata = null;
            await foreach (StreamV1.WriteRequest request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                metadata = request.Metadata ?? metadata
                    ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "metadata is required for the first request of gRPC stream"));
                if (ids.Count == 0)
                {
                    book.Wrote(request.Element.Timestamp);
                }

                ids.Add(request.MessageId);
            }

            ids.Reverse();
            foreach (ulong id in ids)
            {
                await responseStream.WriteAsync(new StreamV1.WriteResponse { MessageId = id, Status = "STATUS_SUCCEED", Metadata = metadata });
            }
        }

        public override Task<StreamV1.QueryResponse> Query(StreamV1.QueryRequest request, ServerCallContext context) =>
            Task.FromResult(book.Answer("stream", request) as StreamV1.QueryResponse ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "refused (wantErr)")));
    }

    private sealed class MeasureData(ReplayBook book) : MeasureV1.MeasureService.MeasureServiceBase
    {
        public override async Task Write(IAsyncStreamReader<MeasureV1.WriteRequest> requestStream, IServerStreamWriter<MeasureV1.WriteResponse> responseStream, ServerCallContext context)
        {
            List<ulong> ids = [];
            Metadata? metadata = null;
            await foreach (MeasureV1.WriteRequest request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                metadata = request.Metadata ?? metadata
                    ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "metadata is required for the first request of gRPC stream"));
                ids.Add(request.MessageId);
            }

            book.Wrote(null);
            ids.Reverse();
            foreach (ulong id in ids)
            {
                await responseStream.WriteAsync(new MeasureV1.WriteResponse { MessageId = id, Status = "STATUS_SUCCEED", Metadata = metadata });
            }
        }

        public override Task<MeasureV1.QueryResponse> Query(MeasureV1.QueryRequest request, ServerCallContext context) =>
            Task.FromResult(book.Answer("measure", request) as MeasureV1.QueryResponse ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "refused (wantErr)")));

        public override Task<MeasureV1.TopNResponse> TopN(MeasureV1.TopNRequest request, ServerCallContext context) =>
            Task.FromResult(book.Answer("topn", request) as MeasureV1.TopNResponse ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "refused (wantErr)")));
    }
}
