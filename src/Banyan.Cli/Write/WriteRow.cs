using Google.Protobuf;

namespace Banyan.Cli.Write;

/// <summary>
/// One row of a bulk-write file: the <c>WriteRequest</c> it becomes, or why it could not become one (then it is counted
/// as failed and not sent; the rows after it still are).
/// </summary>
/// <param name="Line">The 1-based line where the row starts.</param>
/// <param name="Request">The request (a stream or measure <c>WriteRequest</c>), or null when the row is bad.</param>
/// <param name="Error">Why the row is bad, or null.</param>
public sealed record WriteRow(long Line, IMessage? Request, string? Error)
{
    /// <summary>A row that became a request.</summary>
    public static WriteRow Ok(long line, IMessage request) => new(line, request, null);

    /// <summary>A row that could not become a request.</summary>
    public static WriteRow Bad(long line, string error) => new(line, null, error);
}
