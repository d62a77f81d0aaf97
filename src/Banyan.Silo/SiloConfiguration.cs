using System.Reflection;
using Banyan.Grains.Hosting;

namespace Banyan.Silo;

/// <summary>
/// Reads the <c>Silo</c> section into the host's options (<see cref="SiloHostOptions"/>) and the grains' options
/// (<see cref="BanyanSiloOptions"/>), validated, and refuses a key that neither knows.
/// </summary>
/// <remarks>
/// Configuration binding ignores keys it has no property for, so a misspelt setting (<c>Silo__Shard__FlushThresholdMB</c>
/// in a Helm value or an environment variable) would silently leave the default in force. Like BanyanDB, which stops on
/// an unknown flag, the silo stops instead and names the key and the settings it could have meant.
/// </remarks>
public static class SiloConfiguration
{
    /// <summary>Binds and validates both option sets from <paramref name="configuration"/>'s <c>Silo</c> section.</summary>
    /// <exception cref="ArgumentException">A key is unknown or a setting is invalid; the message names it.</exception>
    public static (SiloHostOptions Host, BanyanSiloOptions Silo) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(SiloHostOptions.SectionName);
        CheckKnown(section, SiloHostOptions.SectionName, [typeof(SiloHostOptions), typeof(BanyanSiloOptions)]);

        SiloHostOptions host = section.Get<SiloHostOptions>() ?? new();
        host.Validate();
        BanyanSiloOptions silo = section.Get<BanyanSiloOptions>() ?? new();
        silo.Validate();
        return (host, silo);
    }

    // Walks the keys under `section` and checks each names a publicly settable property of one of `types` (the binder
    // matches names case-insensitively, so this does too); nested option objects are walked the same way.
    private static void CheckKnown(IConfigurationSection section, string path, IReadOnlyList<Type> types)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            string childPath = path + ":" + child.Key;
            PropertyInfo? property = types
                .Select(t => t.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase))
                .FirstOrDefault(p => p is not null && IsBound(p));
            if (property is null)
            {
                IEnumerable<string> known = types
                    .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    .Where(IsBound)
                    .Select(p => p.Name)
                    .Distinct()
                    .Order(StringComparer.Ordinal);
                throw new ArgumentException($"{childPath} is not a setting of the silo; the settings under {path} are {string.Join(", ", known)}.");
            }

            if (IsOptionsObject(property.PropertyType))
            {
                CheckKnown(child, childPath, [property.PropertyType]);
            }
        }
    }

    // The binder sets public setters only (init accessors included); a get-only or privately set property is not a setting.
    private static bool IsBound(PropertyInfo property) => property.SetMethod is { IsPublic: true };

    // Option classes are walked; values (strings, numbers, enums, time spans, nullable values) are leaves.
    private static bool IsOptionsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);
}
