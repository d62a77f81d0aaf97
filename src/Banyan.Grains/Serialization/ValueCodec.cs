using System.Collections.Concurrent;
using System.Reflection;
using Banyan.Grains.Invocation;
using Google.Protobuf;

namespace Banyan.Grains.Serialization;

/// <summary>
/// Encodes values of one declared type. Grain calls are always encoded, even inside one silo,
/// so a call that would fail between machines fails the same way in a single-process test.
/// Supported: primitives, string, byte[], Guid, DateTime, TimeSpan, enums, nullable values,
/// protobuf messages (<see cref="IMessage"/>), grain references, and arrays / List&lt;T&gt; of those.
/// </summary>
internal abstract class ValueCodec
{
    private static readonly ConcurrentDictionary<Type, ValueCodec> s_codecs = new();

    public abstract void Write(WireWriter writer, object? value);

    public abstract object? Read(ref WireReader reader);

    /// <summary>Returns the codec of <paramref name="type"/>, or throws <see cref="NotSupportedException"/> naming the type and what is allowed.</summary>
    public static ValueCodec For(Type type)
    {
        if (s_codecs.TryGetValue(type, out ValueCodec? codec))
        {
            return codec;
        }

        codec = Create(type) ?? throw new NotSupportedException(
            $"Type '{type.FullName}' cannot be sent in a grain call: use a protobuf message (Google.Protobuf.IMessage), a primitive (string, bool, int, long, double, byte[], ...), a grain reference, or an array/List<T> of those.");
        return s_codecs.GetOrAdd(type, codec);
    }

    private static ValueCodec? Create(Type type)
    {
        if (type == typeof(string))
        {
            return new DelegateCodec((w, v) => w.WriteString((string)v!), (ref WireReader r) => r.ReadString(), nullable: true);
        }

        if (type == typeof(byte[]))
        {
            return new DelegateCodec((w, v) => w.WriteBytes((byte[])v!), (ref WireReader r) => r.ReadBytes().ToArray(), nullable: true);
        }

        if (type == typeof(bool))
        {
            return new DelegateCodec((w, v) => w.WriteByte((bool)v! ? (byte)1 : (byte)0), (ref WireReader r) => r.ReadByte() != 0, nullable: false);
        }

        if (type == typeof(int))
        {
            return new DelegateCodec((w, v) => w.WriteInt32((int)v!), (ref WireReader r) => r.ReadInt32(), nullable: false);
        }

        if (type == typeof(long))
        {
            return new DelegateCodec((w, v) => w.WriteInt64((long)v!), (ref WireReader r) => r.ReadInt64(), nullable: false);
        }

        if (type == typeof(double))
        {
            return new DelegateCodec((w, v) => w.WriteDouble((double)v!), (ref WireReader r) => r.ReadDouble(), nullable: false);
        }

        if (type == typeof(float))
        {
            return new DelegateCodec((w, v) => w.WriteDouble((float)v!), (ref WireReader r) => (float)r.ReadDouble(), nullable: false);
        }

        if (type == typeof(uint))
        {
            return new DelegateCodec((w, v) => w.WriteInt32(unchecked((int)(uint)v!)), (ref WireReader r) => unchecked((uint)r.ReadInt32()), nullable: false);
        }

        if (type == typeof(ulong))
        {
            return new DelegateCodec((w, v) => w.WriteInt64(unchecked((long)(ulong)v!)), (ref WireReader r) => unchecked((ulong)r.ReadInt64()), nullable: false);
        }

        if (type == typeof(short))
        {
            return new DelegateCodec((w, v) => w.WriteInt32((short)v!), (ref WireReader r) => checked((short)r.ReadInt32()), nullable: false);
        }

        if (type == typeof(ushort))
        {
            return new DelegateCodec((w, v) => w.WriteInt32((ushort)v!), (ref WireReader r) => checked((ushort)r.ReadInt32()), nullable: false);
        }

        if (type == typeof(byte))
        {
            return new DelegateCodec((w, v) => w.WriteByte((byte)v!), (ref WireReader r) => r.ReadByte(), nullable: false);
        }

        if (type == typeof(sbyte))
        {
            return new DelegateCodec((w, v) => w.WriteByte(unchecked((byte)(sbyte)v!)), (ref WireReader r) => unchecked((sbyte)r.ReadByte()), nullable: false);
        }

        if (type == typeof(char))
        {
            return new DelegateCodec((w, v) => w.WriteInt32((char)v!), (ref WireReader r) => checked((char)r.ReadInt32()), nullable: false);
        }

        if (type == typeof(Guid))
        {
            return new DelegateCodec((w, v) => w.WriteBytes(((Guid)v!).ToByteArray()), (ref WireReader r) => new Guid(r.ReadBytes()), nullable: false);
        }

        if (type == typeof(TimeSpan))
        {
            return new DelegateCodec((w, v) => w.WriteInt64(((TimeSpan)v!).Ticks), (ref WireReader r) => new TimeSpan(r.ReadInt64()), nullable: false);
        }

        if (type == typeof(DateTime))
        {
            return new DelegateCodec((w, v) => w.WriteInt64(((DateTime)v!).ToBinary()), (ref WireReader r) => DateTime.FromBinary(r.ReadInt64()), nullable: false);
        }

        if (type.IsEnum)
        {
            Type underlying = Enum.GetUnderlyingType(type);
            return new DelegateCodec(
                (w, v) => w.WriteInt64(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)),
                (ref WireReader r) => Enum.ToObject(type, Convert.ChangeType(r.ReadInt64(), underlying, System.Globalization.CultureInfo.InvariantCulture)),
                nullable: false);
        }

        if (Nullable.GetUnderlyingType(type) is Type inner)
        {
            ValueCodec innerCodec = For(inner);
            return new DelegateCodec(innerCodec.Write, innerCodec.Read, nullable: true);
        }

        if (typeof(IMessage).IsAssignableFrom(type))
        {
            return ProtobufCodec.ForMessage(type);
        }

        if (type.IsInterface && typeof(IGrain).IsAssignableFrom(type))
        {
            return new GrainReferenceCodec(type);
        }

        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return new ArrayCodec(type.GetElementType()!);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new ListCodec(type.GetGenericArguments()[0]);
        }

        return null;
    }

    /// <summary>Reads a value that must be the whole of <paramref name="data"/>.</summary>
    public object? Deserialize(ReadOnlySpan<byte> data, GrainReferenceFactory? references)
    {
        WireReader reader = new(data, references);
        object? value = Read(ref reader);
        if (!reader.End)
        {
            throw new WireFormatException($"{data.Length - reader.Position} unexpected bytes after the value at offset {reader.Position}");
        }

        return value;
    }

    public delegate object? ReadFunc(ref WireReader reader);

    private sealed class DelegateCodec(Action<WireWriter, object?> write, ReadFunc read, bool nullable) : ValueCodec
    {
        public override void Write(WireWriter writer, object? value)
        {
            if (nullable)
            {
                if (value is null)
                {
                    writer.WriteByte(0);
                    return;
                }

                writer.WriteByte(1);
            }

            write(writer, value);
        }

        public override object? Read(ref WireReader reader)
        {
            if (nullable && reader.ReadByte() == 0)
            {
                return null;
            }

            return read(ref reader);
        }
    }

    private sealed class ProtobufCodec(MessageParser parser) : ValueCodec
    {
        public static ProtobufCodec ForMessage(Type type)
        {
            PropertyInfo? property = type.GetProperty("Parser", BindingFlags.Public | BindingFlags.Static);
            if (property?.GetValue(null) is not MessageParser parser)
            {
                throw new NotSupportedException($"Protobuf message type '{type.FullName}' has no static Parser property; declare the concrete generated message type.");
            }

            return new ProtobufCodec(parser);
        }

        public override void Write(WireWriter writer, object? value)
        {
            if (value is null)
            {
                writer.WriteByte(0);
                return;
            }

            IMessage message = (IMessage)value;
            writer.WriteByte(1);
            int size = message.CalculateSize();
            writer.WriteVarUInt((ulong)size);
            message.WriteTo(writer.GetSpan(size)[..size]);
            writer.Advance(size);
        }

        public override object? Read(ref WireReader reader)
        {
            if (reader.ReadByte() == 0)
            {
                return null;
            }

            ReadOnlySpan<byte> bytes = reader.ReadBytes();
            try
            {
                return parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new WireFormatException($"protobuf payload of {bytes.Length} bytes ending at offset {reader.Position} does not parse: {e.Message}", e);
            }
        }
    }

    private sealed class GrainReferenceCodec(Type interfaceType) : ValueCodec
    {
        public override void Write(WireWriter writer, object? value)
        {
            if (value is null)
            {
                writer.WriteByte(0);
                return;
            }

            if (value is not GrainProxy proxy)
            {
                throw new NotSupportedException($"Only grain references (from IGrainFactory.GetGrain) can be passed as '{interfaceType.FullName}'; got '{value.GetType().FullName}'. Inside a grain, pass this.AsReference<T>().");
            }

            writer.WriteByte(1);
            writer.WriteString(proxy.Key);
        }

        public override object? Read(ref WireReader reader)
        {
            if (reader.ReadByte() == 0)
            {
                return null;
            }

            string key = reader.ReadString();
            GrainReferenceFactory references = reader.References ?? throw new InvalidOperationException("A grain reference was received where no grain runtime is available (bug).");
            return references.GetGrain(interfaceType, key);
        }
    }

    private sealed class ArrayCodec(Type elementType) : ValueCodec
    {
        private readonly ValueCodec _element = For(elementType);

        public override void Write(WireWriter writer, object? value)
        {
            if (value is null)
            {
                writer.WriteByte(0);
                return;
            }

            Array array = (Array)value;
            writer.WriteByte(1);
            writer.WriteVarUInt((ulong)array.Length);
            for (int i = 0; i < array.Length; i++)
            {
                _element.Write(writer, array.GetValue(i));
            }
        }

        public override object? Read(ref WireReader reader)
        {
            if (reader.ReadByte() == 0)
            {
                return null;
            }

            int count = ReadCount(ref reader);
            Array array = Array.CreateInstance(elementType, count);
            for (int i = 0; i < count; i++)
            {
                array.SetValue(_element.Read(ref reader), i);
            }

            return array;
        }
    }

    private sealed class ListCodec(Type elementType) : ValueCodec
    {
        private readonly ValueCodec _element = For(elementType);
        private readonly Type _listType = typeof(List<>).MakeGenericType(elementType);

        public override void Write(WireWriter writer, object? value)
        {
            if (value is null)
            {
                writer.WriteByte(0);
                return;
            }

            System.Collections.IList list = (System.Collections.IList)value;
            writer.WriteByte(1);
            writer.WriteVarUInt((ulong)list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                _element.Write(writer, list[i]);
            }
        }

        public override object? Read(ref WireReader reader)
        {
            if (reader.ReadByte() == 0)
            {
                return null;
            }

            int count = ReadCount(ref reader);
            System.Collections.IList list = (System.Collections.IList)Activator.CreateInstance(_listType, count)!;
            for (int i = 0; i < count; i++)
            {
                list.Add(_element.Read(ref reader));
            }

            return list;
        }
    }

    private static int ReadCount(ref WireReader reader)
    {
        ulong count = reader.ReadVarUInt();
        // Every element takes at least one byte, so a count beyond the remaining bytes is corrupt.
        if (count > int.MaxValue)
        {
            throw new WireFormatException($"element count {count} at offset {reader.Position} is too large");
        }

        return (int)count;
    }
}
