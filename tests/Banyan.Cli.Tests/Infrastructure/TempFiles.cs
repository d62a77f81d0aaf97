namespace Banyan.Cli.Tests.Infrastructure;

/// <summary>A temporary folder of input files, deleted with the test.</summary>
public sealed class TempFiles : IDisposable
{
    /// <summary>A new empty folder.</summary>
    public TempFiles()
    {
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "banyan-cli-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder and answers its path.</summary>
    public string Write(string name, string text)
    {
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
