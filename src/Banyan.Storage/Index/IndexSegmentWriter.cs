using System.Text;
using Banyan.Storage.Checksums;

namespace Banyan.Storage.Index;

/// <summary>The finished parts of one field, ready to be laid out as a field section.</summary>
internal sealed record FieldPayload(IndexedTag Spec, TermDictionaryWriter Exact, TermDictionaryWriter? Tokens, ByteSink? StoredColumn, bool MultiValued);

/// <summary>Lays out a segment image: header, doc table, field sections, directory, footer (<c>docs/format/index-segment.md</c>).</summary>
internal static class IndexSegmentWriter
{
    public static byte[] Write(int docCount, ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, IReadOnlyList<FieldPayload> fields)
    {
        var file = new ByteSink(64 + (docCount * IndexSegmentFormat.DocEntrySize));
        file.WriteUInt32(IndexSegmentFormat.Magic);
        file.WriteUInt16(IndexSegmentFormat.Version);
        file.WriteUInt16(0);

        var directory = new ByteSink();
        int sectionCount = 0;

        int start = file.Length;
        for (int d = 0; d < docCount; d++)
        {
            file.WriteUInt64(seriesIds[d]);
            file.WriteUInt64((ulong)timestamps[d]);
        }

        AddSection(directory, IndexSegmentFormat.SectionDocTable, string.Empty, file, start);
        sectionCount++;

        var section = new ByteSink(1024);
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
                section.WriteBytes(field.StoredColumn!.WrittenSpan);
            }

            start = file.Length;
            file.WriteBytes(section.WrittenSpan);
            AddSection(directory, IndexSegmentFormat.SectionField, field.Spec.Name, file, start);
            sectionCount++;
        }

        var directoryWithCount = new ByteSink(directory.Length + 8);
        directoryWithCount.WriteVarUInt((ulong)sectionCount);
        directoryWithCount.WriteBytes(directory.WrittenSpan);
        int directoryOffset = file.Length;
        file.WriteBytes(directoryWithCount.WrittenSpan);
        file.WriteUInt64((ulong)directoryOffset);
        file.WriteUInt32((uint)directoryWithCount.Length);
        file.WriteUInt32(Crc32C.Compute(directoryWithCount.WrittenSpan));
        file.WriteUInt32((uint)docCount);
        file.WriteUInt32(IndexSegmentFormat.Magic);
        return file.ToArray();
    }

    private static void AddSection(ByteSink directory, byte kind, string name, ByteSink file, int start)
    {
        directory.WriteByte(kind);
        directory.WriteLengthPrefixed(Encoding.UTF8.GetBytes(name));
        directory.WriteVarUInt((ulong)start);
        directory.WriteVarUInt((ulong)(file.Length - start));
        directory.WriteUInt32(Crc32C.Compute(file.WrittenSpan[start..]));
    }

    /// <summary>Builds a stored column from per-document encoded values (empty = absent).</summary>
    public sealed class StoredColumnBuilder
    {
        private readonly ByteSink _values = new(256);
        private readonly List<uint> _ends = [];

        public ByteSink Values => _values;

        /// <summary>Closes the current document's value (call once per document, after writing its bytes or none).</summary>
        public void EndDocument() => _ends.Add((uint)_values.Length);

        public ByteSink Finish()
        {
            var column = new ByteSink(((_ends.Count + 1) * 4) + _values.Length);
            column.WriteUInt32(0);
            foreach (uint end in _ends)
            {
                column.WriteUInt32(end);
            }

            column.WriteBytes(_values.WrittenSpan);
            return column;
        }
    }
}
