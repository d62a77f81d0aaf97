using Banyan.Api.Measure.V1;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>MeasureService</c> on the silo: <c>Write</c> (bidirectional, <see cref="MeasureWritePump"/>). Partial:
/// the query RPCs live in their own file. RPCs not overridden answer UNIMPLEMENTED.
/// </summary>
public sealed partial class MeasureDataService(IGrainFactory grains, IOptions<SiloHostOptions> options, TimeProvider clock, Banyan.Grains.Queries.MeasureQueryRunner queries, SubjectWriteCoalescer coalescer) : MeasureService.MeasureServiceBase
{
    /// <inheritdoc/>
    public override Task Write(IAsyncStreamReader<WriteRequest> requestStream, IServerStreamWriter<WriteResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        MeasureWritePump pump = new(grains, options.Value.WriteBatching, clock, options.Value.WriteBatching.JoinStreams ? coalescer : null);
        MeasureWireScanner scanner = new();
        return RawMessageTransport.TryRaw(context, scanner.Scan, options.Value.GrpcMaxReceiveMessageSize, out PipeMessageReader<MeasureWireRequest>? requests, out PipeResponseSink? responses)
            ? RunRawAsync(pump, scanner, requests, responses, context.CancellationToken)
            : pump.RunAsync(new ParsedMeasureRequests(requestStream), responseStream, context.CancellationToken);
    }

    // The scanner's last chunk is handed back when the stream ends, however it ends.
    private static async Task RunRawAsync(MeasureWritePump pump, MeasureWireScanner scanner, PipeMessageReader<MeasureWireRequest> requests, PipeResponseSink responses, CancellationToken cancellationToken)
    {
        using (scanner)
        {
            await pump.RunAsync(requests, responses, cancellationToken);
        }
    }

    // Messages Grpc.AspNetCore's reader parsed (a compressed stream, or a call not served by Kestrel), as the pump takes them.
    private sealed class ParsedMeasureRequests(IAsyncStreamReader<WriteRequest> parsed) : IAsyncStreamReader<MeasureWireRequest>
    {
        public MeasureWireRequest Current { get; private set; }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await parsed.MoveNext(cancellationToken))
            {
                return false;
            }

            Current = MeasureWireRequest.FromParsed(parsed.Current);
            return true;
        }
    }
}
