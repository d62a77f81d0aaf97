using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>database.v1.IndexRule</c>. From BanyanDB (<c>api/validate/validate.go</c> <c>IndexRule</c>,
/// protoc-gen-validate rules of <c>schema.proto</c>): metadata, name and group; at least one tag; a specified,
/// defined type. BanyanDB does not check at creation that the tags exist (rules belong to a group, not to a
/// stream or measure, and are created before their bindings in its own test order). Banyan adds: the group exists
/// and is a stream or measure group, tag names are valid and unique, the analyzer is one BanyanDB knows
/// (<c>pkg/index/index.go</c>: keyword, simple, standard, url), and when bindings already bind the rule, its tags
/// exist in each bound stream or measure (<see cref="IndexedTags"/>).
/// </summary>
internal static class IndexRuleValidator
{
    /// <summary>The analyzers a rule may name; empty means none.</summary>
    public static readonly IReadOnlySet<string> Analyzers = new HashSet<string>(StringComparer.Ordinal) { "", "keyword", "simple", "standard", "url" };

    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field.</summary>
    public static void Validate(IndexRule? rule, SchemaCatalog catalog)
    {
        if (rule is null)
        {
            throw new SchemaValidationException("index_rule", "is required");
        }

        Metadata metadata = MetadataRules.Require("index_rule", rule.Metadata);
        MetadataRules.RequireGroup(catalog, "index_rule.metadata.group", metadata.Group, "an index rule", Catalog.Stream, Catalog.Measure);
        if (rule.Tags.Count == 0)
        {
            throw new SchemaValidationException("index_rule.tags", "must name at least one tag");
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        for (int i = 0; i < rule.Tags.Count; i++)
        {
            SchemaNames.RequireTagName($"index_rule.tags[{i}]", rule.Tags[i]);
            if (!seen.Add(rule.Tags[i]))
            {
                throw new SchemaValidationException($"index_rule.tags[{i}]", $"tag '{rule.Tags[i]}' is named twice");
            }
        }

        if (rule.Type == IndexRule.Types.Type.Unspecified)
        {
            throw new SchemaValidationException("index_rule.type", "is unspecified; use TYPE_INVERTED, TYPE_SKIPPING or TYPE_TREE");
        }

        if (!Enum.IsDefined(rule.Type))
        {
            throw new SchemaValidationException("index_rule.type", $"{(int)rule.Type} is not a defined index type");
        }

        if (!Analyzers.Contains(rule.Analyzer))
        {
            throw new SchemaValidationException("index_rule.analyzer", $"'{rule.Analyzer}' is not an analyzer; use keyword, simple, standard or url (or none)");
        }

        IndexedTags.CheckRuleAgainstBoundSubjects(catalog, rule);
    }
}
