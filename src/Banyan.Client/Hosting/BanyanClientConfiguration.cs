using System.Globalization;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Hosting;
using Microsoft.Extensions.Configuration;

namespace Banyan.Client.Hosting;

/// <summary>
/// Reads <see cref="BanyanClientOptions"/> from a configuration section (by default <c>Banyan:Client</c>), with errors
/// that name the full key and say what is expected. A key the client does not know is an error too, so a misspelt
/// setting is not silently ignored.
/// </summary>
public static class BanyanClientConfiguration
{
    private static readonly string[] s_topKeys = ["Cluster", "GatewayPorts", "Writer"];
    private static readonly string[] s_clusterKeys = ["Mode", "ClusterId", "ServiceId", "RedisConnectionString", "PrimarySiloEndpoint"];
    private static readonly string[] s_writerKeys = ["BatchSize", "MaxInFlightBatches", "FlushInterval", "MaxAttempts", "InitialBackoff", "MaxBackoff", "MaxRetainedFailures"];

    /// <summary>The options in <paramref name="section"/> (defaults for what it does not set), validated.</summary>
    /// <exception cref="BanyanClientSettingException">A setting is unknown, malformed, missing or out of range; the message names it.</exception>
    public static BanyanClientOptions Read(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        BanyanClientOptions options = new();
        RefuseUnknown(section, s_topKeys);

        IConfigurationSection cluster = section.GetSection("Cluster");
        RefuseUnknown(cluster, s_clusterKeys);
        if (cluster["Mode"] is { } mode)
        {
            options.Cluster.Mode = Enum.TryParse(mode, ignoreCase: true, out ClusterMode parsed) && Enum.IsDefined(parsed) && !int.TryParse(mode, out _)
                ? parsed
                : throw new BanyanClientSettingException(cluster.GetSection("Mode").Path, $"'{mode}' is not one of Localhost, Redis, External");
        }

        options.Cluster.ClusterId = cluster["ClusterId"] ?? options.Cluster.ClusterId;
        options.Cluster.ServiceId = cluster["ServiceId"] ?? options.Cluster.ServiceId;
        options.Cluster.RedisConnectionString = cluster["RedisConnectionString"] ?? options.Cluster.RedisConnectionString;
        options.Cluster.PrimarySiloEndpoint = cluster["PrimarySiloEndpoint"];

        IConfigurationSection ports = section.GetSection("GatewayPorts");
        if (ports.Value is not null || ports.GetChildren().Any())
        {
            options.GatewayPorts.Clear();

            // Either a list (GatewayPorts:0, GatewayPorts:1: JSON arrays, environment variables) or one comma-separated value.
            IEnumerable<(string Path, string Text)> items = ports.Value is { } joined
                ? joined.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => (ports.Path, t))
                : ports.GetChildren().Select(c => (c.Path, c.Value ?? string.Empty));
            foreach ((string path, string text) in items)
            {
                options.GatewayPorts.Add(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                    ? port
                    : throw new BanyanClientSettingException(path, $"'{text}' is not a TCP port number (1-65535)"));
            }
        }

        IConfigurationSection writer = section.GetSection("Writer");
        RefuseUnknown(writer, s_writerKeys);
        BulkWriterOptions w = options.Writer;
        w.BatchSize = Int(writer, "BatchSize", w.BatchSize);
        w.MaxInFlightBatches = Int(writer, "MaxInFlightBatches", w.MaxInFlightBatches);
        w.FlushInterval = Duration(writer, "FlushInterval", w.FlushInterval);
        w.MaxAttempts = Int(writer, "MaxAttempts", w.MaxAttempts);
        w.InitialBackoff = Duration(writer, "InitialBackoff", w.InitialBackoff);
        w.MaxBackoff = Duration(writer, "MaxBackoff", w.MaxBackoff);
        w.MaxRetainedFailures = Int(writer, "MaxRetainedFailures", w.MaxRetainedFailures);

        options.Validate(section.Path);
        return options;
    }

    private static void RefuseUnknown(IConfigurationSection section, string[] known)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new BanyanClientSettingException(child.Path, $"is not a client setting; the settings here are {string.Join(", ", known)}");
            }
        }
    }

    private static int Int(IConfigurationSection section, string key, int fallback)
        => section[key] is not { } text
            ? fallback
            : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new BanyanClientSettingException(section.GetSection(key).Path, $"'{text}' is not a whole number");

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback)
        => section[key] is not { } text
            ? fallback
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value)
                ? value
                : throw new BanyanClientSettingException(section.GetSection(key).Path, $"'{text}' is not a duration (hh:mm:ss.fff, e.g. 00:00:00.050 for 50 ms)");
}
