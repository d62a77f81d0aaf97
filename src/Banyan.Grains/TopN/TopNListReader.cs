using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Banyan.Storage;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// Walks the items of one persisted list (<c>docs/format/topn-result.md</c>, format 1 or 2) best first without
/// materialising them: per item its value and the bytes of its entity (the entity value count, then each value's kind
/// and payload; the same bytes in both formats for the same values, and different bytes for different values, kinds
/// included, so they serve as the entity's merge key). A query merges 720 lists of 1,000 items for an hour of 10 s
/// windows; it decodes only the entities it answers. Dispose it (a format 2 list's entities are rebuilt from their
/// front coding into pooled arrays).
/// </summary>
/// <remarks>
/// <see cref="Open"/> checks the checksum, version, type and count, and of format 2 also the permutation and every
/// entity's lengths and kinds; <see cref="MoveNext"/> checks each value (and a format 1 entity), and after the last
/// item that no byte is left. Strings are not checked for valid UTF-8 until an entity is decoded
/// (<see cref="TopNResultCodec.ReadEntity"/>). Damage is <see cref="StorageCorruptionException"/> naming the row and
/// the offset.
/// </remarks>
internal ref struct TopNListReader
{
    // Format 2: the values section (ending where the permutation starts); format 1: the items (value, then entity).
    private SpanReader _values;
    private readonly bool _version1;
    private int _left;
    private int _next;
    private long _previous;

    // Format 2: the entity index of each item, the entities rebuilt side by side (entity k at _starts[k] ..
    // _starts[k + 1]) and the offset of each entity's record in the list (for errors). Pooled.
    private int[]? _order;
    private byte[]? _entities;
    private int[]? _starts;
    private int[]? _recordAt;

    private TopNListReader(SpanReader values, bool version1, bool isFloat, int count)
    {
        _values = values;
        _version1 = version1;
        IsFloat = isFloat;
        Count = count;
        _left = count;
    }

    /// <summary>True for a FLOAT list, false for INT.</summary>
    public bool IsFloat { get; }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>The current item's value.</summary>
    public TopNRank Value { get; private set; }

    /// <summary>The current item's series id as format 1 stored it; null in format 2 (see <see cref="TopNItem"/>).</summary>
    public ulong? StoredSeriesId { get; private set; }

    /// <summary>The current item's entity bytes (valid until the reader is disposed and as long as the list's bytes are).</summary>
    public ReadOnlySpan<byte> Entity { get; private set; }

    /// <summary>Offset in the list's bytes of <see cref="Entity"/> (format 2: where it would start if its shared prefix were stored with it), for errors decoding it.</summary>
    public int EntityOffset { get; private set; }

    /// <summary>Opens the list in <paramref name="bytes"/>; <paramref name="where"/> names the row in errors.</summary>
    /// <exception cref="StorageCorruptionException">The checksum, version, type or item count is wrong.</exception>
    public static TopNListReader Open(ReadOnlySpan<byte> bytes, string where)
    {
        if (bytes.Length < 4)
        {
            throw new StorageCorruptionException(where, 0, $"a TopN result of {bytes.Length} bytes is shorter than its checksum");
        }

        ReadOnlySpan<byte> body = bytes[..^4];
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]);
        uint actual = Crc32.HashToUInt32(body);
        if (expected != actual)
        {
            throw new StorageCorruptionException(where, body.Length, $"TopN result checksum mismatch: stored {expected:x8}, computed {actual:x8}");
        }

        SpanReader reader = new(body, where, 0);
        byte version = reader.ReadByte();
        if (version is not (TopNResultCodec.Version or TopNResultCodec.Version1))
        {
            throw reader.CorruptAt(0, $"TopN result format version {version}; this build reads {TopNResultCodec.Version1} and {TopNResultCodec.Version}");
        }

        byte type = reader.ReadByte();
        if (type is not (TopNResultCodec.IntType or TopNResultCodec.FloatType))
        {
            throw reader.CorruptAt(1, $"TopN result value type {type} is neither 1 (INT) nor 2 (FLOAT)");
        }

        bool isFloat = type == TopNResultCodec.FloatType;
        if (version == TopNResultCodec.Version1)
        {
            int items = reader.ReadLength(TopNResultCodec.MaxItems, "TopN item count");
            return new TopNListReader(reader, version1: true, isFloat, items);
        }

        // Each item takes at least four bytes (value, index, shared length, rest length): a larger count is damage.
        int count = reader.ReadLength(Math.Min(TopNResultCodec.MaxItems, reader.Remaining / 4), "TopN item count");
        int valuesStart = reader.Position;
        for (int i = 0; i < count; i++)
        {
            if (isFloat)
            {
                reader.ReadSpan(8);
            }
            else
            {
                reader.ReadVarUInt64();
            }
        }

        TopNListReader list = new(new SpanReader(body[..reader.Position], where, 0) { Position = valuesStart }, version1: false, isFloat, count);
        try
        {
            list.ReadEntities(ref reader);
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    /// <summary>Returns the pooled arrays.</summary>
    public void Dispose()
    {
        ReturnTo(ArrayPool<int>.Shared, ref _order);
        ReturnTo(ArrayPool<byte>.Shared, ref _entities);
        ReturnTo(ArrayPool<int>.Shared, ref _starts);
        ReturnTo(ArrayPool<int>.Shared, ref _recordAt);
    }

    /// <summary>Moves to the next item; false after the last (then every byte was read).</summary>
    /// <exception cref="StorageCorruptionException">A value or the entity's structure is damaged, or bytes are left over.</exception>
    public bool MoveNext()
    {
        if (_left == 0)
        {
            _values.EnsureEnd();
            return false;
        }

        _left--;
        if (_version1)
        {
            StoredSeriesId = _values.ReadUInt64();
            long bits = _values.ReadInt64();
            Value = IsFloat ? TopNRank.OfFloat(BitConverter.Int64BitsToDouble(bits)) : TopNRank.OfInt(bits);
            ReadEntity(ref _values);
            return true;
        }

        if (IsFloat)
        {
            Value = TopNRank.OfFloat(BitConverter.Int64BitsToDouble(_values.ReadInt64()));
        }
        else
        {
            // Wrapping, as the writer subtracted.
            _previous = unchecked(_previous + _values.ReadVarInt64());
            Value = TopNRank.OfInt(_previous);
        }

        int k = _order![_next++];
        Entity = _entities.AsSpan(_starts![k], _starts[k + 1] - _starts[k]);
        EntityOffset = _recordAt![k];
        return true;
    }

    private static void ReturnTo<T>(ArrayPool<T> pool, ref T[]? array)
    {
        if (array is not null)
        {
            pool.Return(array);
            array = null;
        }
    }

    // Format 2 after the values: the permutation (checked to be one), then the entities, rebuilt from their front coding
    // and each checked; nothing may follow.
    private void ReadEntities(ref SpanReader reader)
    {
        int count = Count;
        _order = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        int[] seen = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Array.Clear(seen, 0, count);
            for (int i = 0; i < count; i++)
            {
                long at = reader.AbsoluteOffset;
                int k = reader.ReadLength(count - 1, "TopN entity index");
                if (seen[k]++ != 0)
                {
                    throw reader.CorruptAt(at, $"TopN entity index {k} is given to two items");
                }

                _order[i] = k;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(seen);
        }

        _starts = ArrayPool<int>.Shared.Rent(count + 1);
        _recordAt = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        _entities = ArrayPool<byte>.Shared.Rent(Math.Max(256, reader.Remaining * 2));
        int end = 0;
        int before = 0;
        for (int k = 0; k < count; k++)
        {
            long record = reader.AbsoluteOffset;
            int shared = reader.ReadLength(end - before, "TopN entity bytes shared with the one before");
            int length = reader.ReadLength(reader.Remaining, "TopN entity length");

            // Offsets in errors about this entity: exact for its own bytes (those after the shared prefix).
            _recordAt[k] = (int)reader.AbsoluteOffset - shared;
            ReadOnlySpan<byte> rest = reader.ReadSpan(length);
            if (_entities.Length - end < shared + rest.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_entities.Length * 2, end + shared + rest.Length));
                _entities.AsSpan(0, end).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_entities);
                _entities = larger;
            }

            // The shared prefix comes from the entity before, which ends where this one starts: no overlap.
            _entities.AsSpan(before, shared).CopyTo(_entities.AsSpan(end));
            rest.CopyTo(_entities.AsSpan(end + shared));
            _starts[k] = end;
            before = end;
            end += shared + rest.Length;
            SpanReader entity = new(_entities.AsSpan(before, end - before), reader.File, _recordAt[k]);
            SkipEntity(ref entity);
            if (!entity.AtEnd)
            {
                throw entity.CorruptAt(record, $"TopN entity has {entity.Remaining} bytes after its values");
            }
        }

        _starts[count] = end;
        reader.EnsureEnd();
    }

    // Steps over one format 1 entity, checking it; the span read is the current entity.
    private void ReadEntity(ref SpanReader reader)
    {
        long start = reader.AbsoluteOffset;
        ReadOnlySpan<byte> rest = reader.RemainingSpan;
        SkipEntity(ref reader);
        EntityOffset = (int)start;
        Entity = rest[..(int)(reader.AbsoluteOffset - start)];
    }

    // Steps over one entity's bytes, checking its count, kinds and lengths.
    private static void SkipEntity(ref SpanReader reader)
    {
        int count = reader.ReadLength(TopNResultCodec.MaxEntityValues, "TopN entity value count");
        for (int e = 0; e < count; e++)
        {
            long at = reader.AbsoluteOffset;
            byte kind = reader.ReadByte();
            switch ((TagValueKind)kind)
            {
                case TagValueKind.Null:
                    break;
                case TagValueKind.Str:
                case TagValueKind.Binary:
                    reader.ReadLengthPrefixed("TopN entity value");
                    break;
                case TagValueKind.Number:
                case TagValueKind.Timestamp:
                    reader.ReadSpan(8);
                    break;
                case TagValueKind.StrArray:
                    {
                        int n = reader.ReadLength(reader.Remaining, "TopN string array length");
                        for (int i = 0; i < n; i++)
                        {
                            reader.ReadLengthPrefixed("TopN string array value");
                        }

                        break;
                    }

                case TagValueKind.IntArray:
                    reader.ReadSpan(8 * reader.ReadLength(reader.Remaining / 8, "TopN int array length"));
                    break;
                default:
                    throw reader.CorruptAt(at, $"TopN entity value kind {kind} is unknown");
            }
        }
    }
}
