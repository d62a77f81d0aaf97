namespace Banyan.Storage.Query;

/// <summary>The binary operators of a condition (BanyanDB's <c>Condition.BinaryOp</c>).</summary>
public enum ConditionOp : byte
{
    /// <summary>Some atom of the tag equals the value.</summary>
    Eq,

    /// <summary>No atom of the tag equals the value (true for an absent tag).</summary>
    Ne,

    /// <summary>Some atom of the tag, of the value's kind, is less than the value.</summary>
    Lt,

    /// <summary>Some atom of the tag, of the value's kind, is greater than the value.</summary>
    Gt,

    /// <summary>Some atom of the tag, of the value's kind, is at most the value.</summary>
    Le,

    /// <summary>Some atom of the tag, of the value's kind, is at least the value.</summary>
    Ge,

    /// <summary>Some atom of the tag equals one of the value's atoms.</summary>
    In,

    /// <summary>Not <see cref="In"/>.</summary>
    NotIn,

    /// <summary>Every atom of the value is among the tag's atoms.</summary>
    Having,

    /// <summary>Not <see cref="Having"/>.</summary>
    NotHaving,

    /// <summary>Full-text match of the analysed value against the analysed tag.</summary>
    Match,
}
