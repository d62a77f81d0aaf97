using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Which names the catalog accepts. BanyanDB requires names to be non-empty (protoc-gen-validate
/// <c>min_len: 1</c>) and tag names to be free of <c>#</c> (<c>api/validate/validate.go</c>, reserved as a
/// separator). Banyan adds: group names are folder names (the rules of <see cref="ShardGrainKey.ValidateGroupName"/>),
/// and every name has at most <see cref="MaxNameLength"/> characters.
/// </summary>
internal static class SchemaNames
{
    /// <summary>The longest name of a stream, measure, rule, binding, aggregation, tag family, tag or field.</summary>
    public const int MaxNameLength = 255;

    /// <summary>The character BanyanDB reserves in tag names.</summary>
    public const char ReservedTagSeparator = '#';

    /// <summary>Checks a group name: 1 to <see cref="ShardGrainKey.MaxGroupNameLength"/> ASCII letters, digits, <c>_</c>, <c>-</c>, <c>.</c>, not starting with <c>_</c> or <c>.</c>.</summary>
    public static void RequireGroupName(string field, string name)
    {
        if (name.Length == 0)
        {
            throw new SchemaValidationException(field, "is required (a group name)");
        }

        if (name.Length > ShardGrainKey.MaxGroupNameLength)
        {
            throw new SchemaValidationException(field, $"group name has {name.Length} characters; at most {ShardGrainKey.MaxGroupNameLength} are allowed");
        }

        if (name[0] is '_' or '.')
        {
            throw new SchemaValidationException(field, $"group name '{name}' must not start with '{name[0]}' (reserved for Banyan's own folders)");
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                throw new SchemaValidationException(field, $"group name '{name}' contains '{c}'; only ASCII letters, digits, '_', '-' and '.' are allowed (group names are folder names)");
            }
        }
    }

    /// <summary>Checks the name of a schema, tag family or field: 1 to <see cref="MaxNameLength"/> characters, no control characters.</summary>
    public static void RequireName(string field, string name)
    {
        if (name.Length == 0)
        {
            throw new SchemaValidationException(field, "is required (a name)");
        }

        if (name.Length > MaxNameLength)
        {
            throw new SchemaValidationException(field, $"name has {name.Length} characters; at most {MaxNameLength} are allowed");
        }

        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                throw new SchemaValidationException(field, $"name '{name}' contains the control character U+{(int)c:X4}");
            }
        }
    }

    /// <summary>Checks a tag name: a <see cref="RequireName">name</see> without <c>#</c>.</summary>
    public static void RequireTagName(string field, string name)
    {
        RequireName(field, name);
        if (name.Contains(ReservedTagSeparator, StringComparison.Ordinal))
        {
            throw new SchemaValidationException(field, $"tag name '{name}' must not contain the reserved character '{ReservedTagSeparator}'");
        }
    }
}
