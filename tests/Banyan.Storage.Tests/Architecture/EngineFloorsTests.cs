using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace Banyan.Storage.Tests.Architecture;

/// <summary>
/// Checks the floors of <see cref="EngineFloors"/> on the compiled engine: no type refers to a type
/// of a namespace on its own floor or above, so no folder loop can come back unnoticed. Also checks
/// that namespaces follow folders, so the floors drawn for folders are the floors checked here.
/// </summary>
public sealed partial class EngineFloorsTests
{
    [Fact]
    public void No_namespace_uses_one_on_its_own_floor_or_above()
    {
        using var stream = File.OpenRead(typeof(StorageCorruptionException).Assembly.Location);
        using var pe = new PEReader(stream);
        var scanner = new TypeReferenceScanner(pe);
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var unplaced = new SortedSet<string>(StringComparer.Ordinal);
        int edges = 0;
        foreach ((TypeDefinitionHandle type, IReadOnlySet<TypeDefinitionHandle> references) in scanner.Scan())
        {
            string from = scanner.OwnerNamespace(type);
            if (!from.StartsWith("Banyan.Storage", StringComparison.Ordinal))
            {
                continue; // <Module>, <PrivateImplementationDetails>: compiler artefacts.
            }

            if (!EngineFloors.Map.TryGetValue(from, out int fromFloor))
            {
                unplaced.Add(from);
                continue;
            }

            foreach (TypeDefinitionHandle reference in references)
            {
                string to = scanner.OwnerNamespace(reference);
                if (to == from || !to.StartsWith("Banyan.Storage", StringComparison.Ordinal))
                {
                    continue;
                }

                edges++;
                if (!EngineFloors.Map.TryGetValue(to, out int toFloor))
                {
                    unplaced.Add(to);
                }
                else if (toFloor >= fromFloor)
                {
                    violations.Add($"{scanner.Name(type)} (floor {fromFloor}) uses {scanner.Name(reference)} (floor {toFloor})");
                }
            }
        }

        Assert.True(unplaced.Count == 0, "namespaces without a floor in EngineFloors: " + string.Join(", ", unplaced));
        Assert.True(violations.Count == 0, $"{violations.Count} references go up or sideways:\n" + string.Join("\n", violations.Take(60)));
        Assert.True(edges > 100, $"only {edges} cross-namespace references found: the scanner is broken");
    }

    [Fact]
    public void The_scanner_sees_references_in_signatures_and_method_bodies()
    {
        // Shards use Parts in signatures and bodies; if the scanner saw nothing there, the floor test
        // above would pass vacuously.
        using var stream = File.OpenRead(typeof(StorageCorruptionException).Assembly.Location);
        using var pe = new PEReader(stream);
        var scanner = new TypeReferenceScanner(pe);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((TypeDefinitionHandle type, IReadOnlySet<TypeDefinitionHandle> references) in scanner.Scan())
        {
            if (scanner.Name(type) == "Banyan.Storage.Compression.BlockCompressor")
            {
                foreach (TypeDefinitionHandle reference in references)
                {
                    seen.Add(scanner.Name(reference));
                }
            }
        }

        // Only in method bodies: a throw helper and a private context class.
        Assert.Contains("Banyan.Storage.Bytes.EncodingCorruption", seen);
        // In a signature: the output buffer.
        Assert.Contains("Banyan.Storage.Bytes.ByteBuffer", seen);
    }

    [Fact]
    public void Namespaces_follow_folders()
    {
        string root = FindEngineSource();
        var wrong = new List<string>();
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            string folder = Path.GetDirectoryName(relative)!;
            string expected = folder.Length == 0 ? "Banyan.Storage" : "Banyan.Storage." + folder.Replace(Path.DirectorySeparatorChar, '.');
            Match match = NamespaceLine().Match(File.ReadAllText(file));
            if (!match.Success || match.Groups[1].Value != expected)
            {
                wrong.Add($"{relative}: namespace {(match.Success ? match.Groups[1].Value : "(none)")}, folder says {expected}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static string FindEngineSource()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Banyan.Storage");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/Banyan.Storage not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
