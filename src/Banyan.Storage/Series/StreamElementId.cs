using System.IO.Hashing;
using System.Text;

namespace Banyan.Storage.Series;

/// <summary>
/// The element id a stream query returns: not the written string, but 16 lowercase hex digits of
/// the big-endian xxHash64 of <c>group|name|element_id</c> (BanyanDB's behaviour; fixtures compare it).
/// </summary>
public static class StreamElementId
{
    /// <summary>The 64-bit hash of <c>group|name|elementId</c>.</summary>
    public static ulong Compute(string group, string name, string elementId)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(elementId);
        return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(group + "|" + name + "|" + elementId));
    }

    /// <summary>The id as returned to users, e.g. <c>default|sw|0</c> gives <c>0978df79cf4ed409</c>.</summary>
    public static string Format(string group, string name, string elementId) =>
        Compute(group, name, elementId).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
