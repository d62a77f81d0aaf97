namespace Banyan.Storage.Query;

/// <summary>
/// The engine's filter model: a tree of <see cref="LogicalExpression"/> nodes over <see cref="Condition"/>
/// leaves (BanyanDB's <c>model.v1.Criteria</c>, translated by the grain layer).
/// </summary>
public abstract class Criteria
{
    private protected Criteria()
    {
    }
}
