using System.Globalization;

namespace Banyan.Storage.Durability;

/// <summary>
/// File and folder names made of a 64-bit number as 16 lower-case hex digits plus an extension
/// (<c>0000000000000005.snp</c>, part folders, WAL, index files): fixed width, so names sort in
/// number order, and no separator a file system could mind.
/// </summary>
public static class HexFileName
{
    /// <summary>Digits in the number part.</summary>
    public const int Digits = 16;

    /// <summary>The name of <paramref name="number"/> with <paramref name="extension"/> (including its dot, or empty).</summary>
    public static string Format(long number, string extension = "") => number.ToString("x16", CultureInfo.InvariantCulture) + extension;

    /// <summary>The name of <paramref name="number"/> with <paramref name="extension"/> (including its dot, or empty).</summary>
    public static string Format(ulong number, string extension = "") => number.ToString("x16", CultureInfo.InvariantCulture) + extension;

    /// <summary>Parses a name made by <see cref="Format(long, string)"/> with <paramref name="extension"/>; false for anything else.</summary>
    public static bool TryParse(string name, string extension, out long number)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(extension);
        number = 0;
        return name.Length == Digits + extension.Length
            && name.EndsWith(extension, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(0, Digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Parses a name made by <see cref="Format(ulong, string)"/> with <paramref name="extension"/>; false for anything else.</summary>
    public static bool TryParse(string name, string extension, out ulong number)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(extension);
        number = 0;
        return name.Length == Digits + extension.Length
            && name.EndsWith(extension, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(0, Digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number);
    }
}
