using System.CommandLine;
using Banyan.Cli.Gateway;
using Banyan.Cli.Output;

namespace Banyan.Cli.Commands;

/// <summary>What a running command needs: the console, the chosen output, and clients for the addresses given.</summary>
public sealed class CommandContext
{
    private readonly ParseResult _parse;

    /// <summary>The context of the command <paramref name="parse"/> selected, writing to <paramref name="console"/>.</summary>
    public CommandContext(ParseResult parse, CliConsole console)
    {
        _parse = parse;
        Console = console;
        OutputFormat format = parse.GetValue(GlobalOptions.Output) switch
        {
            "json" => OutputFormat.Json,
            "yaml" => OutputFormat.Yaml,
            _ => OutputFormat.Table,
        };
        Output = new ResultWriter(console, format);
        double seconds = parse.GetValue(GlobalOptions.Timeout);
        if (seconds <= 0 || double.IsNaN(seconds))
        {
            throw CliException.Usage($"--timeout must be a positive number of seconds, got {seconds}");
        }

        Timeout = TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Where to read and write.</summary>
    public CliConsole Console { get; }

    /// <summary>Where results go.</summary>
    public ResultWriter Output { get; }

    /// <summary>How long one request may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The <c>--addr</c> given (or its default).</summary>
    public string Address => _parse.GetValue(GlobalOptions.Address) ?? GlobalOptions.DefaultAddress;

    /// <summary>The <c>--grpc-addr</c> given (or its default).</summary>
    public string GrpcAddress => _parse.GetValue(GlobalOptions.GrpcAddress) ?? GlobalOptions.DefaultGrpcAddress;

    /// <summary>A client of the HTTP gateway at <see cref="Address"/>.</summary>
    public GatewayClient Gateway() => new(Address, Timeout);

    /// <summary>The value of <paramref name="option"/>.</summary>
    public T? Get<T>(Option<T> option) => _parse.GetValue(option);

    /// <summary>Prints an error line to standard error (the command goes on).</summary>
    public void Error(string message) => Console.Error.WriteLine($"error: {message}");
}
