using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Banyan.Silo.Tests;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_answers_serving_on_loopback()
    {
        int port = FreeLoopbackPort();
        string url = $"http://127.0.0.1:{port}";
        await using WebApplication app = SiloHost.Build([$"--Silo:HttpUrl={url}"]);
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        try
        {
            using HttpClient client = new() { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            using HttpResponseMessage response = await client.GetAsync(new Uri("/api/healthz", UriKind.Relative), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            Assert.Equal("SERVING", body.RootElement.GetProperty("status").GetString());
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Default_configuration_binds_loopback_only()
    {
        SiloOptions options = new();
        Uri uri = new(options.HttpUrl);
        Assert.Equal("127.0.0.1", uri.Host);
        Assert.Equal(17913, uri.Port);
    }

    private static int FreeLoopbackPort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
