namespace Banyan.Storage.Rows;

/// <summary>Rules for names that end up in file names (tag families become <c>&lt;family&gt;.tf</c>).</summary>
public static class PartNames
{
    /// <summary>Longest tag family name.</summary>
    public const int MaxFamilyNameLength = 128;

    /// <summary>Throws unless <paramref name="family"/> is 1–128 of [A-Za-z0-9_-] (safe as a file name).</summary>
    public static void ValidateFamilyName(string family)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (family.Length == 0 || family.Length > MaxFamilyNameLength)
        {
            throw new ArgumentException($"tag family '{family}': name must be 1 to {MaxFamilyNameLength} characters", nameof(family));
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
