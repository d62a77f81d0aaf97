using System.Globalization;
using Banyan.Grains.Invocation;
using Banyan.Grains.Runtime;

namespace Banyan.Grains;

/// <summary>Key accessors and conversions for grains and grain references (as Orleans' <c>GrainExtensions</c>).</summary>
public static class GrainExtensions
{
    /// <summary>The string key of a grain or grain reference.</summary>
    public static string GetPrimaryKeyString(this IAddressable grain) => KeyOf(grain);

    /// <summary>The integer key of a grain or grain reference; throws when the key is not an integer.</summary>
    public static long GetPrimaryKeyLong(this IAddressable grain)
    {
        string key = KeyOf(grain);
        return long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidOperationException($"The key '{key}' of this grain is not an integer key.");
    }

    /// <summary>The identity of a grain (inside a grain) or of a grain reference whose implementation is known in this process.</summary>
    public static GrainId GetGrainId(this IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain switch
        {
            Grain g => g.Activation.GrainId,
            GrainProxy p => new GrainId(GrainClassRegistry.Instance.ForInterface(p.InterfaceType).GrainType, p.Key),
            _ => throw new ArgumentException($"'{grain.GetType().FullName}' is neither a grain nor a grain reference.", nameof(grain)),
        };
    }

    /// <summary>A reference to this grain, typed as <typeparamref name="TGrainInterface"/>, that can be passed in grain calls.</summary>
    public static TGrainInterface AsReference<TGrainInterface>(this IAddressable grain)
        where TGrainInterface : IGrain
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain switch
        {
            Grain g => (TGrainInterface)((GrainReferenceFactory)g.GrainFactory).GetGrain(typeof(TGrainInterface), g.Activation.GrainId.Key),
            GrainProxy p => (TGrainInterface)p.Factory.GetGrain(typeof(TGrainInterface), p.Key),
            _ => throw new ArgumentException($"'{grain.GetType().FullName}' is neither a grain nor a grain reference.", nameof(grain)),
        };
    }

    private static string KeyOf(IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain switch
        {
            Grain g => g.Activation.GrainId.Key,
            GrainProxy p => p.Key,
            _ => throw new ArgumentException($"'{grain.GetType().FullName}' is neither a grain nor a grain reference.", nameof(grain)),
        };
    }
}
