using System.Net;
using Banyan.Grains.Runtime;
using Banyan.Grains.Transport;

namespace Banyan.Grains.Tests;

/// <summary>
/// How the HTTP/2 transport classifies a failed send: only failures that prove the silo never
/// processed the request may be routed again; the others may have run and are reported as such.
/// </summary>
public sealed class TransportFailureTests
{
    private const long NoError = 0x0;
    private const long InternalError = 0x2;
    private const long RefusedStream = 0x7;

    [Fact]
    public async Task A_request_cut_by_a_graceful_goaway_close_before_any_response_is_safe_to_reroute()
    {
        SiloUnavailableException e = await SendThroughAsync(new FailingHandler(ConnectionClosed(NoError)));
        Assert.False(e.RequestMayHaveRun, e.Message);
    }

    [Fact]
    public async Task A_refused_stream_is_safe_to_reroute()
    {
        SiloUnavailableException e = await SendThroughAsync(new FailingHandler(ConnectionClosed(RefusedStream)));
        Assert.False(e.RequestMayHaveRun, e.Message);
    }

    [Fact]
    public async Task A_connection_refused_is_safe_to_reroute()
    {
        SiloUnavailableException e = await SendThroughAsync(new FailingHandler(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")));
        Assert.False(e.RequestMayHaveRun, e.Message);
    }

    [Fact]
    public async Task An_aborted_connection_may_have_run_the_request()
    {
        SiloUnavailableException e = await SendThroughAsync(new FailingHandler(ConnectionClosed(InternalError)));
        Assert.True(e.RequestMayHaveRun, e.Message);
    }

    [Fact]
    public async Task A_reset_without_goaway_may_have_run_the_request()
    {
        SiloUnavailableException e = await SendThroughAsync(new FailingHandler(new HttpRequestException(HttpRequestError.Unknown, "reset", new IOException("Connection reset by peer"))));
        Assert.True(e.RequestMayHaveRun, e.Message);
    }

    [Fact]
    public async Task A_graceful_close_after_the_response_started_may_have_run_the_request()
    {
        // Response headers arrived: the silo processed the request even if the body is then cut.
        SiloUnavailableException e = await SendThroughAsync(new BrokenBodyHandler(new HttpProtocolException(NoError, "The HTTP/2 server closed the connection.", null)));
        Assert.True(e.RequestMayHaveRun, e.Message);
    }

    private static HttpRequestException ConnectionClosed(long errorCode)
        => new(HttpRequestError.HttpProtocolError, "An error occurred while sending the request.", new HttpProtocolException(errorCode, "The HTTP/2 server closed the connection.", null));

    private static async Task<SiloUnavailableException> SendThroughAsync(HttpMessageHandler handler)
    {
        using HttpMessageInvoker client = new(handler);
        RequestMessage request = new()
        {
            InterfaceName = "A.IFoo",
            GrainKey = "k",
            MethodKey = "A.IFoo.Bar()",
            Arguments = [],
        };
        return await Assert.ThrowsAsync<SiloUnavailableException>(() => Http2SiloTransport.PostAsync(client, "127.0.0.1", 1, Http2SiloTransport.SiloPath, request, CancellationToken.None));
    }

    private sealed class FailingHandler(Exception failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromException<HttpResponseMessage>(failure);
    }

    private sealed class BrokenBodyHandler(Exception failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BrokenStream(failure)) });
    }

    private sealed class BrokenStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
