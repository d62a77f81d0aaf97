using System.Text;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Durability;
using Banyan.Storage.Index.Terms;

namespace Banyan.Storage.Index.Segments;

/// <summary>The finished parts of one field, ready to be laid out as a field section; owns their pooled buffers.</summary>
internal sealed record FieldPayload(IndexedTag Spec, TermDictionaryWriter Exact, TermDictionaryWriter? Tokens, ByteBuffer? StoredColumn, bool MultiValued) : IDisposable
{
    public void Dispose()
    {
        Exact.Dispose();
        Tokens?.Dispose();
        StoredColumn?.Dispose();
    }

    /// <summary>Disposes every payload of <paramref name="payloads"/>.</summary>
    public static void DisposeAll(List<FieldPayload> payloads)
    {
        foreach (FieldPayload payload in payloads)
        {
            payload.Dispose();
        }
    }
}

/// <summary>Lays out a segment image: header, doc table, field sections, directory, footer (<c>docs/format/index-segment.md</c>).</summary>
internal static class IndexSegmentWriter
{
    public static byte[] Write(int docCount, ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, IReadOnlyList<FieldPayload> fields)
    {
        using var file = new ByteBuffer(64 + (docCount * IndexSegmentFormat.DocEntrySize));
        FileHeader.Write(file, IndexSegmentFormat.Magic, IndexSegmentFormat.Version);

        using var directory = new ByteBuffer();
        int sectionCount = 0;

        int start = file.Length;
        for (int d = 0; d < docCount; d++)
        {
            file.WriteUInt64(seriesIds[d]);
            file.WriteUInt64((ulong)timestamps[d]);
        }

        AddSection(directory, IndexSegmentFormat.SectionDocTable, string.Empty, file, start);
        sectionCount++;

        using var section = new ByteBuffer(1024);
        foreach (FieldPayload field in fields)
        {
            section.Clear();
            byte flags = 0;
            if (field.Spec.Stored)
            {
                flags |= IndexSegmentFormat.FieldFlagStored;
            }

            if (field.Spec.HasTokenDictionary)
            {
                flags |= IndexSegmentFormat.FieldFlagTokens;
            }

            if (!field.Spec.ExactTerms)
            {
                flags |= IndexSegmentFormat.FieldFlagNoExactTerms;
            }

            if (field.MultiValued)
            {
                flags |= IndexSegmentFormat.FieldFlagMultiValued;
            }

            section.WriteByte(flags);
            section.WriteByte((byte)field.Spec.Analyzer);
            field.Exact.WriteTo(section);
            if (field.Spec.HasTokenDictionary)
            {
                field.Tokens!.WriteTo(section);
            }

            if (field.Spec.Stored)
            {
                section.Write(field.StoredColumn!.WrittenSpan);
            }

            start = file.Length;
            file.Write(section.WrittenSpan);
            AddSection(directory, IndexSegmentFormat.SectionField, field.Spec.Name, file, start);
            sectionCount++;
        }

        using var directoryWithCount = new ByteBuffer(directory.Length + 8);
        directoryWithCount.WriteVarUInt64((ulong)sectionCount);
        directoryWithCount.Write(directory.WrittenSpan);
        int directoryOffset = file.Length;
        file.Write(directoryWithCount.WrittenSpan);
        file.WriteUInt64((ulong)directoryOffset);
        file.WriteUInt32((uint)directoryWithCount.Length);
        file.WriteUInt32(Crc32C.Compute(directoryWithCount.WrittenSpan));
        file.WriteUInt32((uint)docCount);
        file.WriteUInt32(IndexSegmentFormat.Magic);
        ChecksumFooter.Append(file);
        return file.ToArray();
    }

    private static void AddSection(ByteBuffer directory, byte kind, string name, ByteBuffer file, int start)
    {
        directory.WriteByte(kind);
        directory.WriteLengthPrefixed(Encoding.UTF8.GetBytes(name));
        directory.WriteVarUInt64((ulong)start);
        directory.WriteVarUInt64((ulong)(file.Length - start));
        directory.WriteUInt32(Crc32C.Compute(file.WrittenSpan[start..]));
    }

    /// <summary>Builds a stored column from per-document encoded values (empty = absent).</summary>
    public sealed class StoredColumnBuilder : IDisposable
    {
        private readonly ByteBuffer _values = new(256);
        private readonly List<uint> _ends = [];

        public ByteBuffer Values => _values;

        /// <summary>Closes the current document's value (call once per document, after writing its bytes or none).</summary>
        public void EndDocument() => _ends.Add((uint)_values.Length);

        public ByteBuffer Finish()
        {
            var column = new ByteBuffer(((_ends.Count + 1) * 4) + _values.Length);
            column.WriteUInt32(0);
            foreach (uint end in _ends)
            {
                column.WriteUInt32(end);
            }

            column.Write(_values.WrittenSpan);
            return column;
        }

        /// <summary>Returns the pooled value buffer (the column <see cref="Finish"/> returned is the caller's).</summary>
        public void Dispose() => _values.Dispose();
    }
}
