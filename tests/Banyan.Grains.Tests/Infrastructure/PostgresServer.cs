using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL server for tests: initdb into a temp folder, then
/// <c>postgres -k &lt;tmp&gt; -h 127.0.0.1 -p &lt;free port&gt;</c>. As root it runs as the
/// <c>postgres</c> user through <c>setpriv</c> (which execs, so the PID we hold is the server's).
/// Start-up is bounded in time; it is stopped by the PID it started (SIGINT = fast shutdown).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private PostgresServer(Process process, string folder, string connectionString)
    {
        _process = process;
        _folder = folder;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The folder holding initdb and postgres, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "postgres")))
            .OrderDescending()
            .FirstOrDefault();
    }

    /// <summary>Why no server can be started here, or null when one can.</summary>
    public static string? UnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the PostgreSQL tests start a Debian-packaged server and run on Linux only";
        }

        if (FindBinaries() is null)
        {
            return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run .ci/setup-postgres.sh";
        }

        if (Environment.UserName == "root" && !File.Exists("/usr/bin/setpriv"))
        {
            return "running as root without setpriv, so postgres cannot be started as a non-root user";
        }

        return null;
    }

    public static async Task<PostgresServer> StartAsync()
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException(UnavailableReason());
        string folder = Path.Combine(Path.GetTempPath(), "banyan-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        bool root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }

        string data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], root);
        int port = FreePort();
        Process server = Start(Path.Combine(bin, "postgres"), ["-D", data, "-k", folder, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "fsync=off"], root);
        string connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5;Pooling=true";
        PostgresServer instance = new(server, folder, connectionString);
        Stopwatch waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using NpgsqlConnection connection = new(connectionString);
                await connection.OpenAsync();
                return instance;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException)
            {
                if (server.HasExited || waited.Elapsed > TimeSpan.FromSeconds(30))
                {
                    string log = server.HasExited ? await server.StandardError.ReadToEndAsync() : "(still running)";
                    await instance.DisposeAsync();
                    throw new InvalidOperationException($"PostgreSQL did not accept connections on 127.0.0.1:{port} within {waited.Elapsed}: {e.Message}; server output: {log}", e);
                }

                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGINT is PostgreSQL's fast shutdown; sent to the PID this fixture started.
            using Process kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Process Start(string file, string[] args, bool asPostgres)
    {
        ProcessStartInfo info = asPostgres
            ? new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", file, .. args])
            : new ProcessStartInfo(file, args);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        using Process process = Start(file, args, asPostgres);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with exit code {process.ExitCode}: {await errors} {await output}");
        }
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A fact that is skipped, with the reason shown, where no PostgreSQL server can be started.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.UnavailableReason() is string reason)
        {
            Skip = "PostgreSQL unavailable: " + reason;
        }
    }
}

/// <summary>One server per test class that needs it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("PostgreSQL is unavailable: " + PostgresServer.UnavailableReason());

    public async Task InitializeAsync()
    {
        if (PostgresServer.UnavailableReason() is null)
        {
            _server = await PostgresServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
