namespace Banyan.Conformance.Fixtures;

/// <summary>
/// Finds the BanyanDB conformance fixtures: <c>$BANYAN_CONFORMANCE_DIR</c> when set, otherwise
/// <c>../shared/conformance/banyandb</c> next to the directory holding <c>Banyan.Orleans.sln</c>.
/// A missing folder is an error, never a silent skip: these tests are the proof that the protos
/// match BanyanDB, so "no fixtures" must show up red.
/// </summary>
public static class ConformanceRoot
{
    /// <summary>The environment variable that overrides the fixtures' location.</summary>
    public const string EnvironmentVariable = "BANYAN_CONFORMANCE_DIR";

    private static readonly Lazy<string> s_path = new(Locate);

    /// <summary>The absolute path of the conformance root; throws with a clear message when missing.</summary>
    public static string Path => s_path.Value;

    private static string Locate()
    {
        string? overridePath = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return RequireFixtures(System.IO.Path.GetFullPath(overridePath), $"${EnvironmentVariable}");
        }

        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException(
                $"Cannot locate the conformance fixtures: no directory above '{AppContext.BaseDirectory}' contains " +
                $"Banyan.Orleans.sln. Set {EnvironmentVariable} to the folder holding cases.json and seed.json.");
        }

        string candidate = System.IO.Path.GetFullPath(
            System.IO.Path.Combine(dir.FullName, "..", "shared", "conformance", "banyandb"));
        return RequireFixtures(candidate, $"../shared/conformance/banyandb next to {dir.FullName}");
    }

    private static string RequireFixtures(string path, string origin)
    {
        if (!File.Exists(System.IO.Path.Combine(path, "cases.json")) || !File.Exists(System.IO.Path.Combine(path, "seed.json")))
        {
            throw new InvalidOperationException(
                $"BanyanDB conformance fixtures not found at '{path}' (from {origin}): cases.json and seed.json are " +
                $"required. Set {EnvironmentVariable} to the folder that holds them.");
        }

        return path;
    }
}
