using System.Net;
using Banyan.Api;
using Banyan.Grains.Hosting;
using Banyan.Silo.Data;
using Banyan.Silo.Gateway;
using Banyan.Silo.Grpc;
using Banyan.Silo.Registry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Banyan.Silo;

/// <summary>
/// Builds the silo process: one host runs the Orleans silo (wired by <c>AddBanyan</c>), Kestrel with
/// an HTTP/1.1 endpoint (<c>/api</c>: BanyanDB's HTTP gateway, <see cref="GatewayRoutes"/>) and an HTTP/2-only endpoint (gRPC). Kept apart from
/// <c>Program</c> so tests can start a real host on ports of their choosing and stop it themselves.
/// </summary>
/// <remarks>
/// Configuration, later sources winning: <c>silo-config/silo.json</c> next to the binary (the
/// embedded defaults: one silo, localhost clustering, file grain storage, data in <c>./data</c>), the
/// file named by the <c>ConfigFile</c> key if any (e.g. <c>silo-config/silo.redis.json</c>),
/// environment variables (<c>Silo__NodeName=node-1</c>), then the command line (<c>--Silo:NodeName=node-1</c>).
/// SIGTERM and Ctrl+C stop the host gracefully: grains deactivate (shards flush) before the process exits.
/// </remarks>
public static class SiloHost
{
    /// <summary>The configuration key naming an extra JSON file layered over <c>silo-config/silo.json</c>.</summary>
    public const string ConfigFileKey = "ConfigFile";

    /// <summary>Creates the host; <paramref name="args"/> are command-line configuration overrides.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "silo-config", "silo.json"), optional: true);
        if (builder.Configuration[ConfigFileKey] is { Length: > 0 } extra)
        {
            string path = Path.GetFullPath(extra);
            if (!File.Exists(path))
            {
                throw new ArgumentException($"{ConfigFileKey} names '{path}', which does not exist.");
            }

            builder.Configuration.AddJsonFile(path, optional: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        (SiloHostOptions hostOptions, BanyanSiloOptions siloOptions) = SiloConfiguration.Read(builder.Configuration);
        if (hostOptions.PrecompileAtStart)
        {
            // As early as the setting is known: the compilation overlaps the rest of the start.
            StartupPrecompiler precompiler = StartupPrecompiler.Start(StartupPrecompiler.SiloAssemblies);
            builder.Services.AddHostedService(services => new StartupPrecompilerLog(precompiler.Completion, services.GetRequiredService<ILogger<StartupPrecompiler>>()));
        }

        builder.Services.AddSingleton(Options.Create(hostOptions));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = hostOptions.ShutdownTimeout);
        builder.Services.AddSingleton(new Data.SubjectWriteCoalescer(hostOptions.WriteBatching.JoinMaxMessages, hostOptions.WriteBatching.JoinCallsInFlight));

        // Kestrel receives into one block of its memory pool per recv: 64 KiB blocks instead of its own 4 KiB ones.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new LargeBlockMemoryPoolFactory());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, hostOptions.HttpUrl, "Silo:HttpUrl", HttpProtocols.Http1);
            Listen(kestrel, hostOptions.GrpcUrl, "Silo:GrpcUrl", HttpProtocols.Http2);
        });
        builder.Host.UseOrleans(silo => silo.AddBanyan(siloOptions));
        builder.Services.AddGrpc(grpc =>
        {
            // Larger messages are refused by gRPC itself with RESOURCE_EXHAUSTED before any handler runs.
            grpc.MaxReceiveMessageSize = hostOptions.GrpcMaxReceiveMessageSize;
            grpc.Interceptors.Add<ExceptionStatusInterceptor>();
        });
        StrictDecodingMethodProvider.ReplaceDefaultBinder(builder.Services);
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>(SiloHealthCheck.Name);
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddSiloMetrics();

        WebApplication app = builder.Build();
        app.MapGet("/api/healthz", async (HealthCheckService health, CancellationToken cancellationToken) =>
        {
            HealthReport report = await health.CheckHealthAsync(cancellationToken);
            return report.Status == HealthStatus.Healthy
                ? Results.Json(new HealthzResponse("SERVING"))
                : Results.Json(new HealthzResponse("NOT_SERVING"), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapBanyanGateway();
        app.MapSiloMetrics();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ApiVersionService>();
        app.MapGrpcService<GroupRegistryService>();
        app.MapGrpcService<StreamRegistryService>();
        app.MapGrpcService<MeasureRegistryService>();
        app.MapGrpcService<IndexRuleRegistryService>();
        app.MapGrpcService<IndexRuleBindingRegistryService>();
        app.MapGrpcService<TopNAggregationRegistryService>();
        app.MapGrpcService<StreamDataService>();
        app.MapGrpcService<MeasureDataService>();
        return app;
    }

    // Endpoints are URLs such as http://127.0.0.1:17913; the host must be an IP address or localhost.
    private static void Listen(KestrelServerOptions kestrel, string url, string key, HttpProtocols protocols)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"{key} '{url}' is not an http:// URL.");
        }

        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(uri.Port, o => o.Protocols = protocols);
        }
        else if (IPAddress.TryParse(uri.Host, out IPAddress? address))
        {
            kestrel.Listen(address, uri.Port, o => o.Protocols = protocols);
        }
        else
        {
            throw new ArgumentException($"{key} '{url}': the host must be an IP address or localhost.");
        }
    }
}

/// <summary>Body of <c>GET /api/healthz</c>.</summary>
/// <param name="Status"><c>SERVING</c> while the silo is an active cluster member, <c>NOT_SERVING</c> otherwise (with HTTP 503).</param>
public sealed record HealthzResponse(string Status);
