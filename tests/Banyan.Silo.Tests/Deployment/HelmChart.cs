using System.Diagnostics;
using YamlDotNet.Serialization;

namespace Banyan.Silo.Tests.Deployment;

/// <summary>
/// Runs the <c>helm</c> command on the repository's chart (<c>helm/</c>) and reads what it renders as plain YAML objects
/// (maps, lists, strings). Helm comes from <c>$BANYAN_HELM</c> or <c>PATH</c>; <c>.ci/setup-helm.sh</c> installs it.
/// </summary>
internal static class HelmChart
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>The helm executable, or null where none is installed.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("BANYAN_HELM") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }

        // PATH, then where .ci/setup-helm.sh installs it for a user who is not root.
        string userBin = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "bin");
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append(userBin))
        {
            string candidate = Path.Combine(dir, "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The chart folder: <c>helm/</c> beside <c>Banyan.Orleans.sln</c>.</summary>
    public static string ChartFolder
    {
        get
        {
            DirectoryInfo? dir = new(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
            {
                dir = dir.Parent;
            }

            return dir is null
                ? throw new InvalidOperationException($"no Banyan.Orleans.sln above {AppContext.BaseDirectory}")
                : Path.Combine(dir.FullName, "helm");
        }
    }

    /// <summary>Runs helm with <paramref name="arguments"/>; returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        string helm = FindExecutable() ?? throw new InvalidOperationException("helm is not installed");
        var start = new ProcessStartInfo(helm)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Helm keeps its caches and repository settings under these; a test must not touch the user's.
        string home = Path.Combine(Path.GetTempPath(), "banyan-helm-test-home");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {helm}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', arguments)} did not finish in {s_timeout.TotalSeconds} s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// <c>helm template</c> of the chart as release <c>t</c> in namespace <c>banyan-test</c> with <paramref name="values"/>
    /// (<c>helm --set</c> / <c>--set-json</c> arguments); the rendered objects, or the error helm gave.
    /// </summary>
    public static (IReadOnlyList<Dictionary<object, object>> Objects, string Error) Template(params string[] values)
    {
        (int exit, string output, string error) = Run(["template", "t", ChartFolder, "--namespace", "banyan-test", .. values]);
        if (exit != 0)
        {
            return ([], error);
        }

        IDeserializer yaml = new DeserializerBuilder().Build();
        var objects = new List<Dictionary<object, object>>();
        foreach (string document in output.Split("\n---", StringSplitOptions.RemoveEmptyEntries))
        {
            if (yaml.Deserialize<Dictionary<object, object>?>(document) is { } parsed)
            {
                objects.Add(parsed);
            }
        }

        return (objects, error);
    }
}

/// <summary>A fact that runs only where <c>helm</c> is installed and is reported as skipped, with the reason, elsewhere.</summary>
public sealed class HelmFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when helm is missing.</summary>
    public HelmFactAttribute()
    {
        if (HelmChart.FindExecutable() is null)
        {
            Skip = "helm is not installed: run `bash .ci/setup-helm.sh` (or install Helm 3.8+ from helm.sh) to run the chart tests";
        }
    }
}
