using System.Text;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Segments;

/// <summary>
/// The stored form of a whole tag value in an index segment's stored column (layout in
/// <c>docs/format/index-segment.md</c>): a kind byte followed by a kind-specific payload.
/// </summary>
internal static class TagValueCodec
{
    public static void Write(ByteBuffer sink, TagValue value)
    {
        sink.WriteByte((byte)value.Kind);
        switch (value.Kind)
        {
            case TagValueKind.Null:
                break;
            case TagValueKind.Str:
                sink.Write(Encoding.UTF8.GetBytes(value.Text!));
                break;
            case TagValueKind.Number:
            case TagValueKind.Timestamp:
                sink.WriteUInt64((ulong)value.Number);
                break;
            case TagValueKind.Binary:
                sink.Write(value.Bytes);
                break;
            case TagValueKind.StrArray:
                sink.WriteVarUInt64((ulong)value.Strings.Count);
                foreach (string s in value.Strings)
                {
                    sink.WriteLengthPrefixed(Encoding.UTF8.GetBytes(s));
                }

                break;
            case TagValueKind.IntArray:
                sink.WriteVarUInt64((ulong)value.Numbers.Count);
                foreach (long n in value.Numbers)
                {
                    sink.WriteUInt64((ulong)n);
                }

                break;
            default:
                throw new ArgumentException($"unknown tag value kind {value.Kind}", nameof(value));
        }
    }

    /// <summary>Reads a value that occupies exactly the source's remaining bytes.</summary>
    public static TagValue Read(ref SpanReader source)
    {
        long at = source.AbsoluteOffset;
        var kind = (TagValueKind)source.ReadByte();
        try
        {
            TagValue value;
            switch (kind)
            {
                case TagValueKind.Null:
                    value = TagValue.Null;
                    break;
                case TagValueKind.Str:
                    value = TagValue.FromString(new UTF8Encoding(false, true).GetString(source.ReadSpan(source.Remaining)));
                    break;
                case TagValueKind.Number:
                    value = TagValue.FromInt64((long)source.ReadUInt64());
                    break;
                case TagValueKind.Timestamp:
                    value = TagValue.FromTimestampNanos((long)source.ReadUInt64());
                    break;
                case TagValueKind.Binary:
                    value = TagValue.FromBinary(source.ReadSpan(source.Remaining));
                    break;
                case TagValueKind.StrArray:
                    int count = source.ReadLength(source.Remaining, "string array length");
                    var strings = new string[count];
                    for (int i = 0; i < count; i++)
                    {
                        strings[i] = new UTF8Encoding(false, true).GetString(source.ReadLengthPrefixed("string element"));
                    }

                    value = TagValue.FromStringArray(strings);
                    break;
                case TagValueKind.IntArray:
                    int n = source.ReadLength(source.Remaining / 8, "int array length");
                    var numbers = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        numbers[i] = (long)source.ReadUInt64();
                    }

                    value = TagValue.FromInt64Array(numbers);
                    break;
                default:
                    throw source.CorruptAt(at, $"unknown stored tag value kind {(byte)kind}");
            }

            if (!source.AtEnd)
            {
                throw source.Corrupt($"{source.Remaining} unexpected bytes after a stored {kind} value");
            }

            return value;
        }
        catch (DecoderFallbackException e)
        {
            throw new StorageCorruptionException(source.Corrupt(string.Empty).FilePath, at, "stored string is not valid UTF-8", e);
        }
    }
}
