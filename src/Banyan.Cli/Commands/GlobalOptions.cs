using System.CommandLine;

namespace Banyan.Cli.Commands;

/// <summary>The options every command takes (declared once on the root, recursive).</summary>
public static class GlobalOptions
{
    /// <summary>BanyanDB's HTTP gateway port on loopback, the silo's default <c>Silo:HttpUrl</c>.</summary>
    public const string DefaultAddress = "http://127.0.0.1:17913";

    /// <summary>BanyanDB's gRPC port on loopback, the silo's default <c>Silo:GrpcUrl</c>.</summary>
    public const string DefaultGrpcAddress = "http://127.0.0.1:17912";

    /// <summary><c>--addr</c>: the HTTP gateway, for schemas, queries, TopN and health.</summary>
    public static Option<string> Address { get; } = new("--addr", "-a")
    {
        Description = "The silo's HTTP gateway, for schemas, queries, TopN and health (or env BANYAN_ADDR)",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BANYAN_ADDR") is { Length: > 0 } a ? a : DefaultAddress,
    };

    /// <summary><c>--grpc-addr</c>: the gRPC endpoint, for bulk writes.</summary>
    public static Option<string> GrpcAddress { get; } = new("--grpc-addr")
    {
        Description = "The silo's gRPC endpoint, for bulk writes (or env BANYAN_GRPC_ADDR)",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BANYAN_GRPC_ADDR") is { Length: > 0 } a ? a : DefaultGrpcAddress,
    };

    /// <summary><c>-o</c>: tables, JSON or YAML.</summary>
    public static Option<string> Output { get; } = CreateOutput();

    /// <summary><c>--timeout</c>: how long one request may take.</summary>
    public static Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds one request may take before the tool gives up (not a whole bulk write)",
        HelpName = "seconds",
        Recursive = true,
        DefaultValueFactory = _ => 60,
    };

    private static Option<string> CreateOutput()
    {
        Option<string> option = new("--output", "-o")
        {
            Description = "Output format: table (readable), json or yaml (the server's answer, for scripts)",
            HelpName = "table|json|yaml",
            Recursive = true,
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json", "yaml");
        return option;
    }
}
