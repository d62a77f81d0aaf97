using System.Text;

namespace Banyan.Cli.Input;

/// <summary>
/// The documents of what <c>-f</c> names, as bydbctl reads it: a file, a folder (every <c>.yaml</c>, <c>.yml</c> and
/// <c>.json</c> file in it and below, in name order), or <c>-</c> for standard input. JSON files (by extension, or
/// text that starts with <c>{</c> or <c>[</c>) are read as JSON, the rest as YAML, which may hold several documents.
/// </summary>
public static class DocumentFiles
{
    /// <summary>How standard input is named in messages.</summary>
    public const string StdinName = "<stdin>";

    /// <summary>Every document of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="CliException">The path does not exist or cannot be read.</exception>
    /// <exception cref="InputFileException">A file is not valid YAML or JSON.</exception>
    public static IReadOnlyList<InputDocument> Read(string path, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stdin);
        if (path == "-")
        {
            return Parse(stdin.ReadToEnd(), StdinName, isJsonByName: false);
        }

        if (Directory.Exists(path))
        {
            List<InputDocument> all = [];
            IEnumerable<string> files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
                .Order(StringComparer.Ordinal);
            foreach (string file in files)
            {
                all.AddRange(ReadFile(file));
            }

            return all.Count > 0 ? all : throw CliException.Usage($"{path}: the folder has no .yaml, .yml or .json file");
        }

        return ReadFile(path);
    }

    /// <summary>The documents of one file.</summary>
    public static IReadOnlyList<InputDocument> ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"{path}: cannot read the file: {e.Message}");
        }

        return Parse(text, path, Path.GetExtension(path) is ".json" or ".jsonl" or ".ndjson");
    }

    /// <summary>The documents of <paramref name="text"/>, JSON or YAML.</summary>
    public static IReadOnlyList<InputDocument> Parse(string text, string source, bool isJsonByName)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (isJsonByName || trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            return JsonDocumentReader.ReadAll(Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF')), source);
        }

        List<InputDocument> documents = [];
        YamlDocumentReader reader = new(new StringReader(text), source);
        while (reader.Next() is { } document)
        {
            documents.Add(document);
        }

        return documents.Count > 0 ? documents : throw new InputFileException(source, 0, "the file holds no document");
    }
}
