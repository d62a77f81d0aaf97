namespace Banyan.Cli.Write;

/// <summary>One row that was not stored: where it is and why (the server's status name, or why it could not be read).</summary>
/// <param name="Line">The 1-based line of the row in the input.</param>
/// <param name="Status">The server's status (<c>STATUS_INVALID_TIMESTAMP</c>), or <c>BAD_ROW</c> for a row that could not be read.</param>
/// <param name="Message">What went wrong, in words.</param>
public sealed record WriteFailure(long Line, string Status, string Message);
