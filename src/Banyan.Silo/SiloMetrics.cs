using Banyan.Grains.Telemetry;
using Banyan.Storage.Telemetry;
using OpenTelemetry.Metrics;

namespace Banyan.Silo;

/// <summary>
/// <c>GET /metrics</c> in Prometheus' text format (OpenTelemetry's Prometheus exporter for ASP.NET Core) from the
/// silo's <see cref="System.Diagnostics.Metrics"/> meters: the engine (<c>Banyan.Storage</c>: WAL bytes and fsync
/// latency, flushes and merges), the write path (<c>Banyan.Writes</c>: elements stored, refused by status, expired),
/// the grains (<c>Banyan.Grains</c>: queries and their latency, memory-part bytes, parts, segments per group) and
/// Orleans' own (<c>Microsoft.Orleans</c>: grain activations, messaging). Names follow Prometheus' conventions as the
/// exporter writes them: <c>banyan_write_elements_stored_total</c>, <c>banyan_query_duration_seconds</c>,
/// <c>banyan_shard_memory_bytes</c>.
/// </summary>
public static class SiloMetrics
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    /// <summary>The meters exported.</summary>
    public static readonly string[] Meters = [StorageMetrics.MeterName, "Banyan.Writes", GrainMetrics.MeterName, "Microsoft.Orleans"];

    /// <summary>Registers the meters and the Prometheus exporter.</summary>
    public static IServiceCollection AddSiloMetrics(this IServiceCollection services)
    {
        // No response cache (the exporter's default keeps a scrape 300 ms): a scrape right after a write shows it.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Maps <see cref="Path"/>.</summary>
    public static WebApplication MapSiloMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }
}
