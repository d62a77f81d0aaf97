namespace Banyan.Cli.Output;

/// <summary>How results are printed (<c>-o</c>).</summary>
public enum OutputFormat
{
    /// <summary>Readable tables and sentences (the default).</summary>
    Table,

    /// <summary>The server's answer as indented JSON (protojson, lowerCamelCase), one value per answer.</summary>
    Json,

    /// <summary>The server's answer as YAML, documents separated by <c>---</c>, as bydbctl prints.</summary>
    Yaml,
}
