namespace Banyan.Storage.Query;

/// <summary>How a <see cref="LogicalExpression"/> combines its children.</summary>
public enum LogicalOp : byte
{
    /// <summary>All children hold.</summary>
    And,

    /// <summary>At least one child holds.</summary>
    Or,
}
