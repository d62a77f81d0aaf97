using System.Globalization;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// Command lines of the form <c>--name value ...</c> (the pair commands'): each option given once with a value, only the
/// known ones, the required ones present. Errors are <see cref="ArgumentException"/>s naming the option.
/// </summary>
public static class NamedOptions
{
    /// <summary>The options of <paramref name="args"/>, by name.</summary>
    public static Dictionary<string, string> Parse(string[] args, string[] known, string[] required)
    {
        Dictionary<string, string> options = new(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!known.Contains(args[i]))
            {
                throw new ArgumentException($"unknown option '{args[i]}'");
            }

            if (i + 1 == args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value");
            }

            options[args[i]] = args[++i];
        }

        foreach (string name in required)
        {
            if (!options.ContainsKey(name))
            {
                throw new ArgumentException($"{name} is required");
            }
        }

        return options;
    }

    /// <summary>
    /// Takes every <c><paramref name="name"/> NAME=VALUE</c> out of <paramref name="args"/> (the option may be repeated;
    /// a later NAME wins) and returns the settings; <paramref name="rest"/> is the other arguments, in order, for
    /// <see cref="Parse"/>.
    /// </summary>
    public static Dictionary<string, string> Settings(string[] args, string name, out string[] rest)
    {
        ArgumentNullException.ThrowIfNull(args);
        Dictionary<string, string> settings = new(StringComparer.Ordinal);
        List<string> others = [];
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] != name)
            {
                others.Add(args[i]);
                continue;
            }

            if (i + 1 == args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            string setting = args[++i];
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"{name} '{setting}': expected NAME=VALUE");
            }

            settings[setting[..equals]] = setting[(equals + 1)..];
        }

        rest = [.. others];
        return settings;
    }

    /// <summary>
    /// The whole number of at least <paramref name="min"/> (default 1: positive) given as <paramref name="name"/>, or
    /// <paramref name="fallback"/> when it is not given.
    /// </summary>
    public static int Number(Dictionary<string, string> options, string name, int fallback, int min = 1)
    {
        if (!options.TryGetValue(name, out string? text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min
            ? value
            : throw new ArgumentException(min == 1 ? $"{name} {text}: expected a positive whole number" : $"{name} {text}: expected a whole number of at least {min}");
    }
}
