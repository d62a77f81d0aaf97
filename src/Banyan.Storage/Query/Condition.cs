using Banyan.Storage.Values;
namespace Banyan.Storage.Query;

/// <summary>A leaf of a criteria tree: <c>tag op value</c>. Validated on construction.</summary>
public sealed class Condition : Criteria
{
    /// <summary>Creates a condition.</summary>
    /// <exception cref="ArgumentException">The tag name is empty, or the value does not fit the operator (message names the field and reason).</exception>
    public Condition(string tagName, ConditionOp op, TagValue value, MatchOptions? match = null)
    {
        if (string.IsNullOrEmpty(tagName))
        {
            throw new ArgumentException("condition.name: the tag name must not be empty", nameof(tagName));
        }

        ArgumentNullException.ThrowIfNull(value);
        switch (op)
        {
            case ConditionOp.Eq or ConditionOp.Ne or ConditionOp.Lt or ConditionOp.Gt or ConditionOp.Le or ConditionOp.Ge:
                if (value.Kind == TagValueKind.Null || value.IsArray)
                {
                    throw new ArgumentException($"condition '{tagName}': {op} needs a scalar value, got {value.Kind}", nameof(value));
                }

                break;
            case ConditionOp.In or ConditionOp.NotIn or ConditionOp.Having or ConditionOp.NotHaving:
                if (value.Kind == TagValueKind.Null)
                {
                    throw new ArgumentException($"condition '{tagName}': {op} needs a value or an array, got null", nameof(value));
                }

                break;
            case ConditionOp.Match:
                if (value.Kind != TagValueKind.Str)
                {
                    throw new ArgumentException($"condition '{tagName}': MATCH needs a string value, got {value.Kind}", nameof(value));
                }

                break;
            default:
                throw new ArgumentException($"condition '{tagName}': unknown operator {op}", nameof(op));
        }

        TagName = tagName;
        Op = op;
        Value = value;
        Match = op == ConditionOp.Match ? match ?? MatchOptions.Default : null;
    }

    /// <summary>The tag the condition tests.</summary>
    public string TagName { get; }

    /// <summary>The operator.</summary>
    public ConditionOp Op { get; }

    /// <summary>The value to compare with (an array for IN / HAVING and their negations).</summary>
    public TagValue Value { get; }

    /// <summary>MATCH options; null for other operators.</summary>
    public MatchOptions? Match { get; }

    /// <inheritdoc />
    public override string ToString() => Op == ConditionOp.Match
        ? $"{TagName} MATCH {Value} ({Match!.Analyzer}, {Match.Operator})"
        : $"{TagName} {Op} {Value}";
}
