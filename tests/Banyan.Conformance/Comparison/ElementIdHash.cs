using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Banyan.Conformance.Comparison;

/// <summary>
/// The element id BanyanDB returns for a stream element: <c>hex(bigEndian(xxHash64("&lt;group&gt;|&lt;name&gt;|&lt;element_id&gt;")))</c>,
/// 16 lowercase hex digits, seed 0 (fixtures README, "Running a case"; <c>default|sw|0</c> → <c>0978df79cf4ed409</c>).
/// The harness uses it to name the written element behind an id in difference reports.
/// </summary>
public static class ElementIdHash
{
    /// <summary>The id a query returns for the element written as <paramref name="elementId"/> to <paramref name="group"/>/<paramref name="name"/>.</summary>
    public static string Of(string group, string name, string elementId) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{group}|{name}|{elementId}")).ToString("x16", CultureInfo.InvariantCulture);
}
