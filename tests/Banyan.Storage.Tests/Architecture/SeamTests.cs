using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Banyan.Storage.Tests.Architecture;

/// <summary>
/// Every change the engine makes to files goes through the durability kit's <c>FileSystem</c> seam, so
/// the power-loss file system of the tests sees all of it (a write or rename that bypassed it would be
/// invisible to it, and a missing fsync behind it would pass every test). Read from the compiled
/// engine's IL: outside <c>Banyan.Storage.Durability</c>, no method calls a .NET API that creates,
/// writes, syncs, truncates, renames or deletes a file or folder.
/// </summary>
public sealed class SeamTests
{
    private static readonly HashSet<string> s_changesFiles = new(StringComparer.Ordinal)
    {
        "System.IO.File.Delete", "System.IO.File.Move", "System.IO.File.Copy", "System.IO.File.Replace",
        "System.IO.File.WriteAllBytes", "System.IO.File.WriteAllText", "System.IO.File.WriteAllLines",
        "System.IO.File.WriteAllBytesAsync", "System.IO.File.WriteAllTextAsync", "System.IO.File.AppendAllText",
        "System.IO.File.AppendAllLines", "System.IO.File.AppendAllBytes", "System.IO.File.AppendText", "System.IO.File.Create",
        "System.IO.File.CreateText", "System.IO.File.Open", "System.IO.File.OpenWrite",
        "System.IO.Directory.CreateDirectory", "System.IO.Directory.Delete", "System.IO.Directory.Move",
        "System.IO.RandomAccess.Write", "System.IO.RandomAccess.WriteAsync", "System.IO.RandomAccess.SetLength",
        "System.IO.RandomAccess.FlushToDisk", "System.IO.FileStream.Flush", "System.IO.FileStream.SetLength",
        "System.IO.FileInfo.Delete", "System.IO.FileInfo.MoveTo", "System.IO.FileInfo.CopyTo", "System.IO.FileInfo.Create",
        "System.IO.FileInfo.Replace", "System.IO.FileInfo.Open", "System.IO.FileInfo.OpenWrite",
        "System.IO.DirectoryInfo.Create", "System.IO.DirectoryInfo.Delete", "System.IO.DirectoryInfo.MoveTo",
        "System.IO.DirectoryInfo.CreateSubdirectory", "System.IO.FileStream..ctor",
    };

    // Type -> callee allowed there, with the reason.
    private static readonly HashSet<(string Type, string Callee)> s_allowed =
    [
        // Reads records front to back; opened with FileAccess.Read.
        ("Banyan.Storage.Wal.WalFileReader", "System.IO.FileStream..ctor"),
    ];

    [Fact]
    public void No_file_is_changed_outside_the_durability_kit()
    {
        using var stream = File.OpenRead(typeof(StorageCorruptionException).Assembly.Location);
        using var pe = new PEReader(stream);
        var scanner = new TypeReferenceScanner(pe);
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        int calls = 0;
        foreach ((TypeDefinitionHandle type, string callee) in scanner.ExternalCalls())
        {
            calls++;
            if (!s_changesFiles.Contains(callee) || scanner.OwnerNamespace(type) == "Banyan.Storage.Durability")
            {
                continue;
            }

            string name = scanner.Name(type);
            string outer = name.Split('+')[0];
            if (!s_allowed.Contains((outer, callee)))
            {
                violations.Add($"{name} calls {callee}");
            }
        }

        Assert.True(calls > 1000, $"only {calls} calls found: the scanner is broken");
        Assert.True(violations.Count == 0, "file changes that bypass Durability.FileSystem:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_seam_check_sees_the_kit_itself_changing_files()
    {
        // The real file system calls what the check forbids elsewhere; if the scan missed it, the test
        // above would pass vacuously.
        using var stream = File.OpenRead(typeof(StorageCorruptionException).Assembly.Location);
        using var pe = new PEReader(stream);
        var scanner = new TypeReferenceScanner(pe);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((TypeDefinitionHandle type, string callee) in scanner.ExternalCalls())
        {
            if (scanner.Name(type).StartsWith("Banyan.Storage.Durability.RealFileSystem", StringComparison.Ordinal))
            {
                seen.Add(callee);
            }
        }

        Assert.Contains("System.IO.RandomAccess.FlushToDisk", seen);
        Assert.Contains("System.IO.File.Move", seen);
        Assert.Contains("System.IO.Directory.Delete", seen);
    }
}
