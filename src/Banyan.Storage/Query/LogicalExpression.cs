namespace Banyan.Storage.Query;

/// <summary>An inner node of a criteria tree: AND or OR over one or more children.</summary>
public sealed class LogicalExpression : Criteria
{
    /// <summary>Creates the node.</summary>
    /// <exception cref="ArgumentException">No children were given.</exception>
    public LogicalExpression(LogicalOp op, IReadOnlyList<Criteria> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        if (children.Count == 0)
        {
            throw new ArgumentException($"logical expression {op} needs at least one child", nameof(children));
        }

        foreach (Criteria child in children)
        {
            ArgumentNullException.ThrowIfNull(child, nameof(children));
        }

        Op = op;
        Children = [.. children];
    }

    /// <summary>Creates a binary node (BanyanDB's left / right form).</summary>
    public LogicalExpression(LogicalOp op, Criteria left, Criteria right)
        : this(op, [left, right])
    {
    }

    /// <summary>AND or OR.</summary>
    public LogicalOp Op { get; }

    /// <summary>The operands.</summary>
    public IReadOnlyList<Criteria> Children { get; }

    /// <inheritdoc />
    public override string ToString() => "(" + string.Join($" {Op} ", Children) + ")";
}
