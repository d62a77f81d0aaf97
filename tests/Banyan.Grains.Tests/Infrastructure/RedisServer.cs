using StackExchange.Redis;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// A throw-away <c>redis-server</c> on 127.0.0.1 and a free port, without persistence, stopped by its
/// PID. The Debian package is installed by <c>.ci/setup-redis.sh</c>; tests that need it use <see cref="RedisFactAttribute"/>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _folder;

    private RedisServer(ChildProcess process, TempDirectory folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Where redis-server is, or null when it is not installed.</summary>
    public static string? FindExecutable()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/local/bin"))
        {
            string candidate = Path.Combine(folder, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts a server and waits (bounded) until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        string executable = FindExecutable() ?? throw new InvalidOperationException("redis-server is not installed.");
        int port = Ports.Free();
        TempDirectory folder = new();
        ChildProcess process = ChildProcess.Start(executable, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder.Path], folder.Path);
        RedisServer server = new(process, folder, port);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",connectTimeout=2000,abortConnect=true");
                await connection.GetDatabase().PingAsync();
                return server;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
            catch
            {
                string output = process.RecentOutput;
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server on port {port} did not come up:\n{output}");
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await _process.DisposeAsync();
            _folder.Dispose();
        }
    }
}

/// <summary>A fact that runs only where <c>redis-server</c> is installed and is reported as skipped, with the reason, elsewhere.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when redis-server is missing.</summary>
    public RedisFactAttribute()
    {
        if (RedisServer.FindExecutable() is null)
        {
            Skip = "redis-server is not installed: run `bash .ci/setup-redis.sh` (apt-get install -y redis-server) to run the Redis cluster tests";
        }
    }
}
