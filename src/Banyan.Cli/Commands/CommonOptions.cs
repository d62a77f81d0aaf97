using System.CommandLine;

namespace Banyan.Cli.Commands;

/// <summary>Options several commands share; each command gets its own instance (System.CommandLine wants one parent per option).</summary>
public static class CommonOptions
{
    /// <summary><c>-f</c>: the file (or folder, or <c>-</c> for standard input) holding the request.</summary>
    public static Option<string> File(string description, bool required = true) => new("--file", "-f")
    {
        Description = description,
        HelpName = "file|dir|-",
        Required = required,
    };

    /// <summary><c>-g</c>: the group.</summary>
    public static Option<string> Group(string description, bool required = false) => new("--group", "-g")
    {
        Description = description,
        HelpName = "group",
        Required = required,
    };

    /// <summary><c>-n</c>: the name.</summary>
    public static Option<string> Name(string description, bool required = false) => new("--name", "-n")
    {
        Description = description,
        HelpName = "name",
        Required = required,
    };
}
