using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// The warnings and errors the silos of a test cluster logged, kept in memory so a test can tell that something went
/// wrong only in a log (a timer callback that threw: Orleans catches it, logs it and ticks on). The silos of a
/// TestCluster share this process, so the record is static; tests look for their own group's name in it.
/// </summary>
public sealed class RecordedWarnings : ILoggerProvider
{
    private static readonly ConcurrentQueue<string> s_entries = new();

    /// <summary>Every warning or error so far: level, category, message and the exception's type and message, on one line.</summary>
    public static IEnumerable<string> Entries => s_entries;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Recorder(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                s_entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})")}");
            }
        }
    }
}

/// <summary>Adds <see cref="RecordedWarnings"/> to every silo of the test cluster.</summary>
public sealed class RecordedWarningsConfigurator : ISiloConfigurator
{
    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton<ILoggerProvider, RecordedWarnings>();
}
