using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Keeps one invariant across index rules, bindings and their subjects (Banyan's, not BanyanDB's): every tag an
/// existing rule indexes is declared by every existing stream or measure a binding binds the rule to. Checked when a
/// binding is stored (<see cref="IndexRuleBindingValidator"/>), when a rule is stored (here, against the bindings that
/// already name it) and when a stream or measure is updated (it may not drop an indexed tag).
/// </summary>
internal static class IndexedTags
{
    /// <summary>Checks a rule being stored against the subjects its group's bindings bind it to.</summary>
    public static void CheckRuleAgainstBoundSubjects(SchemaCatalog catalog, IndexRule rule)
    {
        string group = rule.Metadata.Group;
        foreach (IndexRuleBinding binding in catalog.List(SchemaKind.IndexRuleBinding, group).Cast<IndexRuleBinding>())
        {
            if (binding.Subject is null || !binding.Rules.Contains(rule.Metadata.Name) || SubjectTags.Find(catalog, group, binding.Subject) is not { } tags)
            {
                continue;
            }

            for (int i = 0; i < rule.Tags.Count; i++)
            {
                if (!tags.ContainsKey(rule.Tags[i]))
                {
                    throw new SchemaValidationException(
                        $"index_rule.tags[{i}]",
                        $"tag '{rule.Tags[i]}' is not declared by {SubjectTags.Describe(group, binding.Subject)}, to which index rule binding '{binding.Metadata.Name}' binds this rule");
                }
            }
        }
    }

    /// <summary>Checks that an updated stream or measure (<paramref name="root"/>: <c>stream</c> or <c>measure</c>) still declares every tag its bound rules index.</summary>
    public static void CheckSubjectKeepsIndexedTags(SchemaCatalog catalog, string root, SchemaKind kind, string group, string name, Dictionary<string, TagInfo> tags)
    {
        foreach (IndexRuleBinding binding in catalog.BindingsOf(kind, group, name))
        {
            foreach (string ruleName in binding.Rules)
            {
                if (!catalog.TryGetIndexRule(group, ruleName, out IndexRule? rule))
                {
                    continue;
                }

                foreach (string tag in rule.Tags)
                {
                    if (!tags.ContainsKey(tag))
                    {
                        throw new SchemaValidationException(
                            $"{root}.tag_families",
                            $"tag '{tag}' is indexed by index rule '{ruleName}' (bound by '{binding.Metadata.Name}') and cannot be removed; delete the binding first");
                    }
                }
            }
        }
    }
}
