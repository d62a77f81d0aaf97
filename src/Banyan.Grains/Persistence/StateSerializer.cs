using System.Reflection;
using System.Text.Json;
using Google.Protobuf;

namespace Banyan.Grains;

/// <summary>
/// Encodes grain state for storage providers: protobuf binary for protobuf messages, UTF-8 JSON
/// (System.Text.Json) for other classes.
/// </summary>
public static class StateSerializer
{
    /// <summary>A new, empty state of type <typeparamref name="T"/>.</summary>
    public static T CreateDefault<T>()
    {
        try
        {
            return Activator.CreateInstance<T>();
        }
        catch (MissingMethodException e)
        {
            throw new InvalidOperationException($"Grain state type '{typeof(T).FullName}' needs a public parameterless constructor.", e);
        }
    }

    /// <summary>Encodes a state.</summary>
    public static byte[] Serialize<T>(T state)
    {
        if (state is IMessage message)
        {
            return message.ToByteArray();
        }

        return JsonSerializer.SerializeToUtf8Bytes(state);
    }

    /// <summary>Decodes a state; <paramref name="source"/> names the record in error messages.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> data, string source)
    {
        try
        {
            if (typeof(IMessage).IsAssignableFrom(typeof(T)))
            {
                MessageParser parser = (MessageParser)typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
                return (T)parser.ParseFrom(data);
            }

            return JsonSerializer.Deserialize<T>(data) ?? CreateDefault<T>();
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or JsonException)
        {
            throw new GrainStateCorruptionException($"Grain state {source} ({data.Length} bytes) does not decode as '{typeof(T).FullName}': {e.Message}", e);
        }
    }
}

/// <summary>A stored grain state record cannot be decoded; names the record (file and offset, or table row).</summary>
public sealed class GrainStateCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainStateCorruptionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrainStateCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrainStateCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
