using System.Buffers.Binary;
using System.Text;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Durability;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Segments;

/// <summary>
/// An immutable inverted-index segment: documents numbered 0..<see cref="DocCount"/>-1 with their
/// series id and timestamp, and per indexed tag a term dictionary with posting lists. The same
/// image lives in memory (built from a write batch) or in a <c>.idx</c> file (flushed or merged).
/// </summary>
/// <remarks>
/// A file is read whole and every section's CRC-32C is checked when it is opened, so damaged bytes
/// raise <see cref="StorageCorruptionException"/> before any query can see them.
/// </remarks>
public sealed class IndexSegment
{
    private readonly byte[] _image;
    private readonly int _docTableStart;
    private readonly Dictionary<string, IndexFieldReader> _fields;
    private Dictionary<ulong, int>? _docOfSeries; // TryFindSeries' table, built at its first call

    private IndexSegment(string name, byte[] image, int docCount, int docTableStart, Dictionary<string, IndexFieldReader> fields)
    {
        Name = name;
        _image = image;
        DocCount = docCount;
        _docTableStart = docTableStart;
        _fields = fields;
    }

    /// <summary>The file path, or a descriptive name for an in-memory segment.</summary>
    public string Name { get; }

    /// <summary>Number of documents; the universe of NOT-like conditions in this segment.</summary>
    public int DocCount { get; }

    /// <summary>Size of the encoded image in bytes.</summary>
    public int SizeInBytes => _image.Length;

    /// <summary>Names of the tags indexed in this segment.</summary>
    public IReadOnlyCollection<string> FieldNames => _fields.Keys;

    internal byte[] Image => _image;

    /// <summary>The series id of document <paramref name="doc"/>.</summary>
    public ulong SeriesIdAt(int doc)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)doc, (uint)DocCount, nameof(doc));
        return BinaryPrimitives.ReadUInt64LittleEndian(_image.AsSpan(_docTableStart + (doc * IndexSegmentFormat.DocEntrySize)));
    }

    /// <summary>The timestamp of document <paramref name="doc"/>.</summary>
    public long TimestampAt(int doc)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)doc, (uint)DocCount, nameof(doc));
        return BinaryPrimitives.ReadInt64LittleEndian(_image.AsSpan(_docTableStart + (doc * IndexSegmentFormat.DocEntrySize) + 8));
    }

    /// <summary>
    /// The first document of series <paramref name="seriesId"/> (the series index has one per series), through a table
    /// from series id to document built at the first call and kept with the segment (about 24 bytes per document).
    /// </summary>
    internal bool TryFindSeries(ulong seriesId, out int doc)
    {
        Dictionary<ulong, int> table = Volatile.Read(ref _docOfSeries) ?? BuildDocOfSeries();
        return table.TryGetValue(seriesId, out doc);
    }

    private Dictionary<ulong, int> BuildDocOfSeries()
    {
        var table = new Dictionary<ulong, int>(DocCount);
        for (int d = 0; d < DocCount; d++)
        {
            table.TryAdd(SeriesIdAt(d), d);
        }

        // Built whole before it is published; a table another thread published first is as good.
        return Interlocked.CompareExchange(ref _docOfSeries, table, null) ?? table;
    }

    /// <summary>The stored value of <paramref name="tag"/> for <paramref name="doc"/>; null when the tag is absent or not stored (indexed_only).</summary>
    public TagValue? StoredValue(string tag, int doc)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)doc, (uint)DocCount, nameof(doc));
        return _fields.TryGetValue(tag, out IndexFieldReader? field) ? field.StoredValue(doc) : null;
    }

    internal IndexFieldReader? Field(string tag) => _fields.GetValueOrDefault(tag);

    /// <summary>Opens and fully verifies a segment file (any file version: a version 3 file is decompressed first).</summary>
    public static IndexSegment Open(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageCorruptionException(path, -1, "listed index segment file is missing", e);
        }

        byte[] image = IndexSegmentFile.ImageOf(file, path);

        // Offsets of errors found in a decompressed image are offsets in that image, not in the file: the name says so.
        return Parse(image, ReferenceEquals(image, file) ? path : path + " (decompressed image)", verifyChecksums: true);
    }

    /// <summary>Parses an image; checksums are skipped only for images this process has just built.</summary>
    internal static IndexSegment Parse(byte[] image, string name, bool verifyChecksums)
    {
        uint version = FileHeader.Read(image, name, IndexSegmentFormat.Magic, IndexSegmentFormat.OldestReadableVersion, IndexSegmentFormat.Version);

        // Version 2 ends with the checksum footer over the whole file; version 1 (still read) has none.
        int end = version >= 2 ? image.Length - ChecksumFooter.Size : image.Length;
        if (end < IndexSegmentFormat.HeaderSize + IndexSegmentFormat.FooterSize)
        {
            throw new StorageCorruptionException(name, 0, $"file is {image.Length} bytes, shorter than header and footer");
        }

        // One CRC pass over the file replaces the per-section passes. When it fails, the section
        // checks still run so the error names the damaged section's offset where they can.
        StorageCorruptionException? footerError = null;
        if (verifyChecksums && version >= 2)
        {
            try
            {
                ChecksumFooter.Verify(image, name);
                verifyChecksums = false;
            }
            catch (StorageCorruptionException e)
            {
                footerError = e;
            }
        }

        int footerAt = end - IndexSegmentFormat.FooterSize;
        var footer = new SpanReader(image.AsSpan(footerAt), name, footerAt);
        ulong directoryOffset = footer.ReadUInt64();
        uint directoryLength = footer.ReadUInt32();
        uint directoryCrc = footer.ReadUInt32();
        uint docCount = footer.ReadUInt32();
        uint footerMagic = footer.ReadUInt32();
        if (footerMagic != IndexSegmentFormat.Magic)
        {
            throw new StorageCorruptionException(name, footerAt + 20, $"footer magic is 0x{footerMagic:X8}, expected 0x{IndexSegmentFormat.Magic:X8} (truncated file?)");
        }

        if (directoryOffset < IndexSegmentFormat.HeaderSize || directoryOffset + directoryLength != (ulong)footerAt)
        {
            throw new StorageCorruptionException(name, footerAt, $"directory at {directoryOffset}+{directoryLength} does not end at the footer ({footerAt})");
        }

        if (docCount > int.MaxValue)
        {
            throw new StorageCorruptionException(name, footerAt + 16, $"document count {docCount} is out of range");
        }

        ReadOnlySpan<byte> directoryBytes = image.AsSpan((int)directoryOffset, (int)directoryLength);
        uint actualCrc = Crc32C.Compute(directoryBytes);
        if (actualCrc != directoryCrc)
        {
            throw new StorageCorruptionException(name, (long)directoryOffset, $"directory checksum is 0x{actualCrc:X8}, footer says 0x{directoryCrc:X8}");
        }

        var directory = new SpanReader(directoryBytes, name, (long)directoryOffset);
        int sectionCount = directory.ReadLength(directoryBytes.Length, "section count");
        int docTableStart = -1;
        var fields = new Dictionary<string, IndexFieldReader>(StringComparer.Ordinal);
        int expectedOffset = IndexSegmentFormat.HeaderSize;
        for (int s = 0; s < sectionCount; s++)
        {
            long entryAt = directory.AbsoluteOffset;
            byte kind = directory.ReadByte();
            string fieldName = DecodeName(ref directory, name);
            int offset = directory.ReadLength((int)directoryOffset, "section offset");
            int length = directory.ReadLength((int)directoryOffset - offset, "section length");
            uint crc = directory.ReadUInt32();
            if (offset != expectedOffset)
            {
                throw new StorageCorruptionException(name, entryAt, $"section {s} starts at {offset}, expected {expectedOffset}");
            }

            expectedOffset = offset + length;
            ReadOnlySpan<byte> section = image.AsSpan(offset, length);
            if (verifyChecksums)
            {
                uint sectionCrc = Crc32C.Compute(section);
                if (sectionCrc != crc)
                {
                    throw new StorageCorruptionException(name, offset, $"section {s} ({fieldName}) checksum is 0x{sectionCrc:X8}, directory says 0x{crc:X8}");
                }
            }

            switch (kind)
            {
                case IndexSegmentFormat.SectionDocTable:
                    if ((long)length != (long)docCount * IndexSegmentFormat.DocEntrySize || docTableStart >= 0)
                    {
                        throw new StorageCorruptionException(name, entryAt, $"doc table is {length} bytes for {docCount} documents");
                    }

                    docTableStart = offset;
                    break;
                case IndexSegmentFormat.SectionField:
                    IndexFieldReader field = ParseField(image, name, fieldName, offset, length, (int)docCount);
                    if (!fields.TryAdd(fieldName, field))
                    {
                        throw new StorageCorruptionException(name, entryAt, $"field '{fieldName}' appears twice");
                    }

                    break;
                default:
                    throw new StorageCorruptionException(name, entryAt, $"unknown section kind {kind}");
            }
        }

        if (expectedOffset != (int)directoryOffset)
        {
            throw new StorageCorruptionException(name, expectedOffset, $"sections end at {expectedOffset}, directory starts at {directoryOffset}");
        }

        if (!directory.AtEnd)
        {
            throw directory.Corrupt("bytes left after the directory entries");
        }

        if (docTableStart < 0)
        {
            throw new StorageCorruptionException(name, (long)directoryOffset, "no doc table section");
        }

        if (footerError is not null)
        {
            throw footerError;
        }

        return new IndexSegment(name, image, (int)docCount, docTableStart, fields);
    }

    private static string DecodeName(ref SpanReader directory, string file)
    {
        long at = directory.AbsoluteOffset;
        ReadOnlySpan<byte> raw = directory.ReadLengthPrefixed("section name");
        try
        {
            return new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException e)
        {
            throw new StorageCorruptionException(file, at, "section name is not valid UTF-8", e);
        }
    }

    private static IndexFieldReader ParseField(byte[] image, string file, string fieldName, int offset, int length, int docCount)
    {
        var source = new SpanReader(image.AsSpan(offset, length), file, offset);
        long flagsAt = source.AbsoluteOffset;
        byte flags = source.ReadByte();
        byte analyzer = source.ReadByte();
        if ((flags & ~(IndexSegmentFormat.FieldFlagStored | IndexSegmentFormat.FieldFlagTokens | IndexSegmentFormat.FieldFlagNoExactTerms | IndexSegmentFormat.FieldFlagMultiValued)) != 0 || analyzer > (byte)AnalyzerKind.Url)
        {
            throw new StorageCorruptionException(file, flagsAt, $"field '{fieldName}' has flags 0x{flags:X2} and analyzer {analyzer}");
        }

        var spec = new IndexedTag(fieldName, (AnalyzerKind)analyzer, (flags & IndexSegmentFormat.FieldFlagStored) != 0, (flags & IndexSegmentFormat.FieldFlagNoExactTerms) == 0);
        if (spec.HasTokenDictionary != ((flags & IndexSegmentFormat.FieldFlagTokens) != 0))
        {
            throw new StorageCorruptionException(file, flagsAt, $"field '{fieldName}': token flag does not fit analyzer {spec.Analyzer}");
        }

        var exact = new TermDictionaryReader(image, file, (uint)docCount, ref source, offset);
        if (!spec.ExactTerms && exact.TermCount != 0)
        {
            throw new StorageCorruptionException(file, flagsAt, $"field '{fieldName}' says it has no exact terms but holds {exact.TermCount}");
        }

        TermDictionaryReader? tokens = spec.HasTokenDictionary ? new TermDictionaryReader(image, file, (uint)docCount, ref source, offset) : null;
        int storedOffsetsStart = -1, storedValuesStart = -1;
        if (spec.Stored)
        {
            storedOffsetsStart = offset + source.Position;
            int valuesLength = -1;
            uint previous = 0;
            for (int d = 0; d <= docCount; d++)
            {
                uint o = source.ReadUInt32();
                if (o < previous)
                {
                    throw source.Corrupt($"stored value offsets of '{fieldName}' decrease at document {d}");
                }

                previous = o;
                valuesLength = (int)Math.Min(o, int.MaxValue);
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(storedOffsetsStart)) != 0)
            {
                throw new StorageCorruptionException(file, storedOffsetsStart, "first stored value offset is not 0");
            }

            storedValuesStart = offset + source.Position;
            source.ReadSpan(valuesLength);
        }

        if (!source.AtEnd)
        {
            throw source.Corrupt($"{source.Remaining} bytes left at the end of field '{fieldName}'");
        }

        bool multiValued = (flags & IndexSegmentFormat.FieldFlagMultiValued) != 0;
        return new IndexFieldReader(spec, exact, tokens, image, file, docCount, storedOffsetsStart, storedValuesStart, multiValued);
    }
}
