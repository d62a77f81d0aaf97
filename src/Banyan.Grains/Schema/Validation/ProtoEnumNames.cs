using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf.Reflection;

namespace Banyan.Grains.Schema.Validation;

/// <summary>The protobuf names of enum values (<c>TAG_TYPE_STRING</c>, not <c>String</c>), so messages use the names clients send.</summary>
internal static class ProtoEnumNames
{
    private static readonly ConcurrentDictionary<(Type, int), string> s_names = new();

    /// <summary>The value's name in the <c>.proto</c> file, or its number when the value is not defined.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum
        => s_names.GetOrAdd((typeof(T), Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)), static key =>
        {
            string? member = Enum.GetName(key.Item1, key.Item2);
            FieldInfo? field = member is null ? null : key.Item1.GetField(member);
            return field?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? key.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
}
