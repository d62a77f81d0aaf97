using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>database.v1.IndexRuleBinding</c>. From BanyanDB (<c>api/validate/validate.go</c>
/// <c>IndexRuleBinding</c>, protoc-gen-validate rules of <c>schema.proto</c>): metadata, name and group; at least
/// one rule; a subject with a name and a specified catalog; <c>begin_at</c> and <c>expire_at</c> present, and
/// (the proto's comment) <c>expire_at</c> after <c>begin_at</c>. Banyan adds: the group exists and is a stream or
/// measure group, the subject's catalog is the group's, the subject exists, rule names are unique, and each named
/// rule that exists indexes only tags the subject declares. A named rule that does not exist is accepted, as
/// BanyanDB accepts it (its own fixtures bind rules their group lacks) and skips it when resolving a subject's
/// rules (<c>IndexRules</c> in <c>banyand/metadata/client.go</c>); it takes effect once created.
/// </summary>
internal static class IndexRuleBindingValidator
{
    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field.</summary>
    public static void Validate(IndexRuleBinding? binding, SchemaCatalog catalog)
    {
        if (binding is null)
        {
            throw new SchemaValidationException("index_rule_binding", "is required");
        }

        Metadata metadata = MetadataRules.Require("index_rule_binding", binding.Metadata);
        Group group = MetadataRules.RequireGroup(catalog, "index_rule_binding.metadata.group", metadata.Group, "an index rule binding", Catalog.Stream, Catalog.Measure);
        if (binding.Rules.Count == 0)
        {
            throw new SchemaValidationException("index_rule_binding.rules", "must name at least one index rule");
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        for (int i = 0; i < binding.Rules.Count; i++)
        {
            SchemaNames.RequireName($"index_rule_binding.rules[{i}]", binding.Rules[i]);
            if (!seen.Add(binding.Rules[i]))
            {
                throw new SchemaValidationException($"index_rule_binding.rules[{i}]", $"index rule '{binding.Rules[i]}' is named twice");
            }
        }

        Subject? subject = binding.Subject;
        if (subject is null)
        {
            throw new SchemaValidationException("index_rule_binding.subject", "is required (the stream or measure the rules apply to)");
        }

        SchemaNames.RequireName("index_rule_binding.subject.name", subject.Name);
        if (subject.Catalog == Catalog.Unspecified)
        {
            throw new SchemaValidationException("index_rule_binding.subject.catalog", "is unspecified; use the group's catalog");
        }

        if (subject.Catalog != group.Catalog)
        {
            throw new SchemaValidationException(
                "index_rule_binding.subject.catalog",
                $"is {ProtoEnumNames.Of(subject.Catalog)}, but group '{metadata.Group}' is a {ProtoEnumNames.Of(group.Catalog)} group");
        }

        if (SubjectTags.Find(catalog, metadata.Group, subject) is not { } tags)
        {
            throw new SchemaValidationException("index_rule_binding.subject.name", $"{SubjectTags.Describe(metadata.Group, subject)} does not exist");
        }

        if (binding.BeginAt is null)
        {
            throw new SchemaValidationException("index_rule_binding.begin_at", "is required");
        }

        if (binding.ExpireAt is null)
        {
            throw new SchemaValidationException("index_rule_binding.expire_at", "is required");
        }

        if (binding.ExpireAt.ToDateTimeOffset() <= binding.BeginAt.ToDateTimeOffset())
        {
            throw new SchemaValidationException("index_rule_binding.expire_at", $"{binding.ExpireAt} is not after begin_at {binding.BeginAt}");
        }

        for (int i = 0; i < binding.Rules.Count; i++)
        {
            if (catalog.TryGetIndexRule(metadata.Group, binding.Rules[i], out IndexRule? rule))
            {
                foreach (string tag in rule.Tags)
                {
                    if (!tags.ContainsKey(tag))
                    {
                        throw new SchemaValidationException(
                            $"index_rule_binding.rules[{i}]",
                            $"index rule '{rule.Metadata.Name}' indexes tag '{tag}', which {SubjectTags.Describe(metadata.Group, subject)} does not declare");
                    }
                }
            }
        }
    }
}
