using Banyan.Conformance.Cases;
using Banyan.Conformance.Fixtures;
using Banyan.Conformance.Seeding;

namespace Banyan.Conformance;

/// <summary>The conformance fixtures of one root, read once: the case tables and the seed plan.</summary>
public sealed class ConformanceFixtures
{
    private static readonly Lazy<ConformanceFixtures> s_default = new(() => Load(ConformanceRoot.Path));

    private ConformanceFixtures(string root, CaseTable cases, SeedPlan seed)
    {
        Root = root;
        Cases = cases;
        Seed = seed;
    }

    /// <summary>The fixtures at <see cref="ConformanceRoot.Path"/> (<c>$BANYAN_CONFORMANCE_DIR</c> or <c>../shared/conformance/banyandb</c>).</summary>
    public static ConformanceFixtures Default => s_default.Value;

    /// <summary>The folder holding <c>cases.json</c> and <c>seed.json</c>.</summary>
    public string Root { get; }

    /// <summary>The case tables (<c>cases.json</c>).</summary>
    public CaseTable Cases { get; }

    /// <summary>The schema load order and write schedule (<c>seed.json</c>).</summary>
    public SeedPlan Seed { get; }

    /// <summary>Reads the fixtures under <paramref name="root"/>.</summary>
    public static ConformanceFixtures Load(string root) => new(root, CaseTable.Load(root), SeedPlan.Load(root));

    /// <summary>The full path of a fixture file given relative to the root.</summary>
    public string FullPath(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
}
