using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Silo.Tests;

/// <summary>
/// <see cref="StartupPrecompiler"/>: which methods it compiles ahead, that it compiles each assembly once per process, that
/// the silo's own assemblies compile without a failure, and that the host starts it unless <c>Silo:PrecompileAtStart</c>
/// is false.
/// </summary>
public sealed class StartupPrecompilerTests
{
    [Fact]
    public void Methods_with_a_body_and_no_open_generic_parameter_are_compiled_and_the_rest_left_to_their_first_call()
    {
        HashSet<string> listed = [.. StartupPrecompiler.CompilableMethods(typeof(StartupPrecompilerTests).Assembly)
            .Where(m => m.DeclaringType?.DeclaringType == typeof(StartupPrecompilerTests))
            .Select(m => m.DeclaringType!.Name + "." + m.Name)];

        Assert.Contains("Shape.Twice", listed);
        Assert.Contains("Shape..ctor", listed);
        Assert.Contains("Helpers.One", listed);
        Assert.Contains("Closed.Get", listed); // a closed type's method is compiled though its base is generic
        Assert.DoesNotContain("Shape.Area", listed); // abstract: no body
        Assert.DoesNotContain("Helpers.Echo", listed); // generic method: its instantiations are not known
        Assert.DoesNotContain("Box`1.Get", listed); // a generic type's method: the same
    }

    [Fact]
    public async Task Every_listed_method_is_compiled_once_per_process()
    {
        Assembly tests = typeof(StartupPrecompilerTests).Assembly;
        StartupPrecompilation first = await StartupPrecompiler.Start([tests]).Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, first.Assemblies);
        Assert.Equal(0, first.Failed);
        Assert.Equal(StartupPrecompiler.CompilableMethods(tests).Count(), first.Methods);

        StartupPrecompilation again = await StartupPrecompiler.Start([tests]).Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((0, 0), (again.Assemblies, again.Methods));
    }

    [Fact]
    public void The_silos_own_assemblies_compile_ahead_without_a_failure()
    {
        StartupPrecompilation done = StartupPrecompiler.Compile([.. StartupPrecompiler.SiloAssemblies]);
        Assert.True(done.Failed == 0, done.FirstFailure);
        Assert.True(done.Methods > 1000, $"{done.Methods} methods compiled: the silo's assemblies hold thousands");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task The_host_compiles_at_start_unless_told_not_to(string? setting, bool expected)
    {
        string data = Path.Combine(Path.GetTempPath(), "banyan-precompile-" + Guid.NewGuid().ToString("N"));
        string[] args = setting is null ? [$"--Silo:DataRoot={data}"] : [$"--Silo:DataRoot={data}", $"--Silo:PrecompileAtStart={setting}"];
        await using WebApplication app = SiloHost.Build(args);
        Assert.Equal(expected, app.Services.GetServices<IHostedService>().OfType<StartupPrecompilerLog>().Any());
    }

    [Fact]
    public async Task What_was_compiled_is_logged_failures_as_a_warning_and_nothing_when_there_was_nothing_to_compile()
    {
        RecordingLogger compiled = await LoggedAsync(new StartupPrecompilation(4, 6408, 0, null, TimeSpan.FromSeconds(1.7)));
        (LogLevel level, string message) = Assert.Single(compiled.Entries);
        Assert.Equal(LogLevel.Information, level);
        Assert.Contains("Compiled 6408 methods of the silo's 4 assemblies", message, StringComparison.Ordinal);

        RecordingLogger failed = await LoggedAsync(new StartupPrecompilation(4, 6400, 8, "T.M: TypeLoadException: no", TimeSpan.FromSeconds(1.7)));
        Assert.Equal([LogLevel.Information, LogLevel.Warning], failed.Entries.Select(e => e.Level));
        Assert.Contains("8 methods could not be compiled ahead", failed.Entries[1].Message, StringComparison.Ordinal);
        Assert.Contains("T.M: TypeLoadException: no", failed.Entries[1].Message, StringComparison.Ordinal);

        Assert.Empty((await LoggedAsync(new StartupPrecompilation(0, 0, 0, null, TimeSpan.Zero))).Entries);
    }

    private static async Task<RecordingLogger> LoggedAsync(StartupPrecompilation done)
    {
        RecordingLogger logger = new();
        using StartupPrecompilerLog log = new(Task.FromResult(done), logger);
        await log.StartAsync(CancellationToken.None);
        await log.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        return logger;
    }

    private sealed class RecordingLogger : ILogger<StartupPrecompiler>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }

    private abstract class Shape
    {
        public abstract double Area();

        public double Twice() => 2 * Area();
    }

    private class Box<T>
    {
        public T? Value { get; set; }

        public T? Get() => Value;
    }

    private sealed class Closed : Box<int>
    {
        public new int Get() => Value + 1;
    }

    private static class Helpers
    {
        public static T Echo<T>(T value) => value;

        public static int One() => 1;
    }
}
