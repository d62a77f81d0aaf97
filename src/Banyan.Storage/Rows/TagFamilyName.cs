namespace Banyan.Storage.Rows;

/// <summary>
/// The rule for tag family names. A family's name becomes part of file names (its columns live in
/// <c>&lt;family&gt;.tf</c> and <c>&lt;family&gt;.tfm</c> of every part), so it must be a safe file name.
/// </summary>
public static class TagFamilyName
{
    /// <summary>Longest tag family name.</summary>
    public const int MaxLength = 128;

    /// <summary>Throws unless <paramref name="family"/> is 1–128 of [A-Za-z0-9_-] (safe as a file name).</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or has another character; the message names it.</exception>
    public static void Validate(string family)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (family.Length == 0 || family.Length > MaxLength)
        {
            throw new ArgumentException($"tag family '{family}': name must be 1 to {MaxLength} characters", nameof(family));
        }

        foreach (char c in family)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                throw new ArgumentException($"tag family '{family}': only letters, digits, '_' and '-' are allowed (the name is used as a file name)", nameof(family));
            }
        }
    }
}
