using Microsoft.Extensions.Options;

namespace Banyan.Silo;

/// <summary>
/// Builds the silo's web host. Kept apart from <c>Program</c> so tests can start a real
/// host on a port of their choosing and stop it themselves.
/// </summary>
public static class SiloHost
{
    /// <summary>Creates the host; <paramref name="args"/> are command-line configuration overrides.</summary>
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        string configFolder = Path.Combine(AppContext.BaseDirectory, "silo-config");
        builder.Configuration.AddJsonFile(Path.Combine(configFolder, "silo.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        SiloOptions options = new();
        builder.Configuration.GetSection(SiloOptions.SectionName).Bind(options);
        builder.Services.AddSingleton(Options.Create(options));
        builder.WebHost.UseUrls(options.HttpUrl);

        WebApplication app = builder.Build();
        app.MapGet("/api/healthz", () => Results.Json(new HealthStatus("SERVING")));
        return app;
    }
}

/// <summary>Body of <c>GET /api/healthz</c>.</summary>
/// <param name="Status">Always <c>SERVING</c> once the host answers requests.</param>
public sealed record HealthStatus(string Status);
