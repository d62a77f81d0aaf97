using System.Diagnostics;
using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using Microsoft.Win32.SafeHandles;

namespace Banyan.Storage.Parts;

/// <summary>
/// Reads a part folder written by <see cref="PartWriter"/>. Opening reads metadata.json and meta.bin
/// and checks every file's header; block headers are loaded from primary.bin chunk by chunk, only for
/// chunks a query can match, and kept. Every frame is checksummed before it is decoded; any bad byte
/// raises <see cref="StorageCorruptionException"/> naming the file and offset.
/// </summary>
public sealed class PartReader : IPartReader
{
    private readonly string _directory;
    private readonly SafeFileHandle _timestamps;
    private readonly SafeFileHandle? _fieldValues;
    private readonly SafeFileHandle _primary;
    private readonly Dictionary<string, FamilyFiles> _families = new(StringComparer.Ordinal);
    private readonly long _timestampsLength;
    private readonly long _fieldValuesLength;
    private readonly PrimaryChunkInfo[] _chunks;
    private readonly LoadedChunk?[] _chunkHeaders;
    private readonly bool _compact;

    // Format 3: each family's tag names, which its block directories refer to by number (read from meta.bin).
    // Format 3 and later: each family's tag name table (meta.bin), which the tag directories refer to by number.
    private readonly Dictionary<string, string[]> _tagNames;
    private bool _disposed;

    private readonly string _timestampsPath;
    private readonly string _fieldValuesPath;

    // Where the entity tags of a format 4 part come from (null: a reader outside a shard, which cannot decode them).
    private readonly SeriesEntityLookup? _entities;

    private sealed record FamilyFiles(SafeFileHandle Values, long ValuesLength, SafeFileHandle Directory, long DirectoryLength, string ValuesPath, string DirectoryPath);

    private PartReader(string directory, PartMetadata metadata, SeriesEntityLookup? entities)
    {
        _directory = directory;
        _entities = entities;
        Metadata = metadata;
        _compact = metadata.FormatVersion >= 2;
        _timestampsPath = PathOf(PartFileNames.Timestamps);
        _fieldValuesPath = PathOf(PartFileNames.FieldValues);
        try
        {
            _timestamps = OpenChecked(PartFileNames.Timestamps, PartFileMagic.Timestamps, out _timestampsLength);
            _primary = OpenChecked(PartFileNames.Primary, PartFileMagic.Primary, out long primaryLength);
            if (metadata.Kind == DataKind.Measure)
            {
                _fieldValues = OpenChecked(PartFileNames.FieldValues, PartFileMagic.FieldValues, out _fieldValuesLength);
            }

            foreach (string family in metadata.TagFamilies)
            {
                if (!File.Exists(PathOf(PartFileNames.TagValues(family))) || !File.Exists(PathOf(PartFileNames.TagMetadata(family))))
                {
                    throw new StorageCorruptionException(PathOf(PartFileNames.Metadata), 0, $"lists tag family '{family}', whose files are missing");
                }

                SafeFileHandle values = OpenChecked(PartFileNames.TagValues(family), PartFileMagic.TagValues, out long valuesLength);
                SafeFileHandle dir;
                try
                {
                    dir = OpenChecked(PartFileNames.TagMetadata(family), PartFileMagic.TagMetadata, out long dirLength);
                    _families.Add(family, new FamilyFiles(values, valuesLength, dir, dirLength, PathOf(PartFileNames.TagValues(family)), PathOf(PartFileNames.TagMetadata(family))));
                }
                catch
                {
                    values.Dispose();
                    throw;
                }
            }

            (_chunks, _tagNames) = ReadMeta(primaryLength);
            _chunkHeaders = new LoadedChunk?[_chunks.Length];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public PartMetadata Metadata { get; }

    /// <summary>The part folder.</summary>
    public string Directory => _directory;

    /// <summary>The chunk index read from meta.bin.</summary>
    public IReadOnlyList<PrimaryChunkInfo> Chunks => _chunks;

    /// <summary>Opens the part in <paramref name="directory"/>.</summary>
    /// <exception cref="StorageCorruptionException">A file is missing, truncated or has wrong bytes.</exception>
    public static PartReader Open(string directory) => Open(directory, entities: null);

    /// <summary>
    /// Opens the part in <paramref name="directory"/>, taking the entity tags a part of format 4 leaves out from
    /// <paramref name="entities"/> (the shard's series index). Without it, reading such a tag fails.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A file is missing, truncated or has wrong bytes.</exception>
    public static PartReader Open(string directory, SeriesEntityLookup? entities)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        string metadataPath = Path.Combine(full, PartFileNames.Metadata);
        byte[] json;
        try
        {
            json = File.ReadAllBytes(metadataPath);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageCorruptionException(metadataPath, 0, "file is missing", e);
        }

        return new PartReader(full, PartMetadata.Parse(json, metadataPath), entities);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The order within a chunk is checked when it is decoded (each header's min timestamp is not below the previous
    /// one's max); a series whose blocks continue in the next chunk is checked here, where two chunks' headers meet.
    /// </remarks>
    /// <exception cref="StorageCorruptionException">A chunk's bytes are wrong, or two chunks' blocks of a series are out of time order.</exception>
    public void FindBlocks(SeriesTimeFilter query, List<BlockHeader> result)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int start = result.Count;
        for (int c = 0; c < _chunks.Length; c++)
        {
            PrimaryChunkInfo chunk = _chunks[c];
            if (!query.IncludesSeriesRange(chunk.FirstSeriesId, chunk.LastSeriesId) || !query.OverlapsTime(chunk.MinTimestamp, chunk.MaxTimestamp))
            {
                continue;
            }

            LoadedChunk loaded = _chunkHeaders[c] ?? LoadChunk(c);
            BlockHeader[] headers = loaded.Headers;
            int chunkStart = result.Count;
            if (query.SeriesIds is null)
            {
                foreach (BlockHeader header in headers)
                {
                    if (query.OverlapsTime(header.MinTimestamp, header.MaxTimestamp))
                    {
                        result.Add(header);
                    }
                }
            }
            else
            {
                AddSelectedSeries(query, chunk, loaded, result);
            }

            if (chunkStart > start && chunkStart < result.Count)
            {
                CheckOrderAcrossChunks(result[chunkStart - 1], result[chunkStart], chunk);
            }
        }
    }

    // A chunk's headers are in series order: seek each selected series of the chunk's range rather than test every
    // header (a query of a few hundred series in a part of thousands reads only their headers). The seek searches the
    // chunk's series ids, one array, rather than the headers, one object each: on a warm part the search was most of
    // what finding the blocks of a query's series cost (docs/benchmarks.md, "Q2's per-request allocations, and the
    // block seek by series id").
    private static void AddSelectedSeries(SeriesTimeFilter query, PrimaryChunkInfo chunk, LoadedChunk loaded, List<BlockHeader> result)
    {
        ReadOnlySpan<ulong> ids = query.SeriesIdSpan;
        BlockHeader[] headers = loaded.Headers;
        ReadOnlySpan<ulong> series = loaded.SeriesIds;
        int h = 0;
        for (int i = SeriesTimeFilter.LowerBound(ids, chunk.FirstSeriesId); i < ids.Length && ids[i] <= chunk.LastSeriesId && h < headers.Length; i++)
        {
            h = FirstBlockOf(series, h, ids[i]);
            for (; h < headers.Length && series[h] == ids[i]; h++)
            {
                if (query.OverlapsTime(headers[h].MinTimestamp, headers[h].MaxTimestamp))
                {
                    result.Add(headers[h]);
                }
            }
        }
    }

    // The last block found in an earlier chunk and the first found in this one. meta.bin's check orders chunks by
    // series (a chunk starts at or after the series where the one before ends), but a series that continues across
    // chunks has its time order only here.
    private void CheckOrderAcrossChunks(BlockHeader before, BlockHeader first, PrimaryChunkInfo chunk)
    {
        if (before.SeriesId == first.SeriesId && first.MinTimestamp < before.MaxTimestamp)
        {
            throw new StorageCorruptionException(PathOf(PartFileNames.Primary), chunk.Offset,
                $"the chunk's first block of series {first.SeriesId:x16} starts at {first.MinTimestamp}, before the end ({before.MaxTimestamp}) of its block in an earlier chunk: blocks are not in time order");
        }
    }

    // The first of series[from..] (ascending, a series repeated once per block) not below seriesId. Binary search
    // returns any of equal elements, so this one is written out.
    private static int FirstBlockOf(ReadOnlySpan<ulong> series, int from, ulong seriesId)
    {
        int lo = from, hi = series.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (series[mid] < seriesId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <inheritdoc />
    public void ReadBlock(BlockHeader header, ColumnProjection projection, Block destination, DecodeScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(scratch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!ReferenceEquals(header.Owner, this))
        {
            throw new ArgumentException("the block header belongs to another part (bug in the caller)", nameof(header));
        }

        destination.Reset(header.SeriesId);
        int n = header.RowCount;
        string tsPath = _timestampsPath;
        destination.PrepareKeys(n, out Span<long> timestamps, out Span<long> versions);
        if (!header.TimestampsStored)
        {
            FillEvenlySpaced(timestamps, header.MinTimestamp, header.MaxTimestamp);
        }

        if (!header.VersionsStored)
        {
            versions.Fill(header.ConstantVersion);
        }

        if (header.TimestampsStored || header.VersionsStored)
        {
            ReadKeys(header, timestamps, versions, scratch);
        }

        if (_fieldValues is not null)
        {
            string fvPath = _fieldValuesPath;
            // Index loops: foreach over the IReadOnlyList would allocate an enumerator per block.
            IReadOnlyList<ColumnHeader> fields = header.Fields;
            for (int f = 0; f < fields.Count; f++)
            {
                ColumnHeader field = fields[f];
                if (projection.IncludesField(field.Name))
                {
                    DecodeColumn(_fieldValues, fvPath, null, field, n, destination, scratch);
                }
            }
        }

        IReadOnlyList<TagFamilyHeader> families = header.TagFamilies;
        SeriesEntity? entity = null; // asked for at the first tag stored as the series key's, once per block
        for (int t = 0; t < families.Count; t++)
        {
            TagFamilyHeader family = families[t];
            if (!projection.IncludesFamily(family.Name))
            {
                continue;
            }

            FamilyFiles files = _families[family.Name];
            ColumnHeader[] columns = ReadDirectory(family, scratch);
            foreach (ColumnHeader column in columns)
            {
                if (!projection.IncludesTag(family.Name, column.Name))
                {
                    continue;
                }

                if (column.FromSeriesKey)
                {
                    RestoreFromSeriesKey(files.ValuesPath, family.Name, column, n, destination, ref entity);
                }
                else
                {
                    DecodeColumn(files.Values, files.ValuesPath, family.Name, column, n, destination, scratch);
                }
            }
        }
    }

    /// <summary>
    /// The column directory of tag family <paramref name="family"/> in block <paramref name="header"/>: each tag's
    /// name, type, encoding and frame (for tools and tests; <see cref="ReadBlock"/> decodes the columns).
    /// </summary>
    /// <exception cref="StorageCorruptionException">The directory is damaged.</exception>
    public IReadOnlyList<ColumnHeader> ReadTagDirectory(BlockHeader header, string family)
    {
        ArgumentNullException.ThrowIfNull(header);
        TagFamilyHeader? found = header.TagFamilies.FirstOrDefault(f => f.Name == family);
        return found is null ? [] : ReadDirectory(found, new DecodeScratch());
    }

    private ColumnHeader[] ReadDirectory(TagFamilyHeader family, DecodeScratch scratch)
    {
        FamilyFiles files = _families[family.Name];
        string dirPath = files.DirectoryPath;
        int dirLength = ReadFrame(files.Directory, dirPath, family.Offset, family.Size, scratch);
        try
        {
            ReadOnlySpan<byte> raw = scratch.Raw.AsSpan(0, dirLength);
            return Metadata.FormatVersion >= 3
                ? BlockHeaderCodec.ReadTagDirectory(raw, files.ValuesLength, files.ValuesPath, Metadata.FormatVersion, _tagNames[family.Name])
                : BlockHeaderCodec.ReadTagDirectory(raw, files.ValuesLength, files.ValuesPath, Metadata.FormatVersion);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw Rethrow(e, dirPath, family.Offset);
        }
    }

    // Row i at min + i·(max − min)/(n − 1), wrapping as the writer checked it (PartWriter.IsEvenlySpaced).
    private static void FillEvenlySpaced(Span<long> timestamps, long min, long max)
    {
        int n = timestamps.Length;
        ulong step = EvenlySpacedTimestamps.Step(min, max, n);
        long value = min;
        for (int i = 0; i < n; i++)
        {
            timestamps[i] = value;
            value = unchecked(value + (long)step);
        }

        Debug.Assert(n <= 1 || timestamps[n - 1] == max, "the header parser checks that the span is a multiple of the step");
    }

    private void ReadKeys(BlockHeader header, Span<long> timestamps, Span<long> versions, DecodeScratch scratch)
    {
        int n = header.RowCount;
        string tsPath = _timestampsPath;
        int rawLength = ReadFrame(_timestamps, tsPath, header.TimestampsOffset, header.TimestampsSize, scratch);
        try
        {
            var reader = new SpanReader(scratch.Raw.AsSpan(0, rawLength));
            if (header.TimestampsStored)
            {
                CheckEncoding(ref reader, (byte)header.TimestampsEncoding, "timestamps");
                IntegerSequenceCodec.Decode(ref reader, timestamps);
            }

            if (header.VersionsStored)
            {
                CheckEncoding(ref reader, (byte)header.VersionsEncoding, "versions");
                IntegerSequenceCodec.Decode(ref reader, versions);
            }

            reader.EnsureEnd();
            if (timestamps[0] != header.MinTimestamp || timestamps[n - 1] != header.MaxTimestamp)
            {
                EncodingCorruption.Throw(0, "timestamps disagree with the block header's time range");
            }

            for (int i = 1; i < n; i++)
            {
                if (timestamps[i] < timestamps[i - 1])
                {
                    EncodingCorruption.Throw(0, $"timestamps not ascending at row {i}");
                }
            }
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw Rethrow(e, tsPath, header.TimestampsOffset);
        }
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timestamps?.Dispose();
        _primary?.Dispose();
        _fieldValues?.Dispose();
        foreach (FamilyFiles files in _families.Values)
        {
            files.Values.Dispose();
            files.Directory.Dispose();
        }
    }

    private void DecodeColumn(SafeFileHandle file, string path, string? family, ColumnHeader column, int rowCount, Block destination, DecodeScratch scratch)
    {
        int length = ReadFrame(file, path, column.Offset, column.Size, scratch);
        if (destination.FindColumn(family, column.Name) is not null)
        {
            throw new StorageCorruptionException(path, column.Offset, $"column '{family}.{column.Name}' appears twice in one block");
        }

        ReadOnlySpan<byte> payload = scratch.Raw.AsSpan(0, length);
        int prefix = column.DescriptorLength;
        if (prefix > 0)
        {
            // Format 2: the payload's leading bytes are in the block header; the frame buffer is free now.
            if (scratch.Frame.Length < prefix + length)
            {
                scratch.Frame = new byte[Math.Max(prefix + length, scratch.Frame.Length * 2)];
            }

            Span<byte> whole = scratch.Frame.AsSpan(0, prefix + length);
            for (int i = 0; i < prefix; i++)
            {
                whole[i] = (byte)(column.Descriptor >> (8 * i));
            }

            payload.CopyTo(whole[prefix..]);
            payload = whole;
        }

        ColumnBuffer target = destination.AddColumnUnfilled(family, column.Name, column.Type);
        try
        {
            byte encoding = ColumnCodec.Decode(payload, rowCount, column.Type, target, scratch);
            if (encoding != column.Encoding)
            {
                EncodingCorruption.Throw(0, $"column '{family}.{column.Name}' is encoded as {encoding}, its header says {column.Encoding}");
            }
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw Rethrow(e, path, column.Offset);
        }
    }

    // A format 4 entity tag: every row is the block's series' value, which the series index keeps in the series key.
    private void RestoreFromSeriesKey(string path, string family, ColumnHeader column, int rowCount, Block destination, ref SeriesEntity? entity)
    {
        if (destination.FindColumn(family, column.Name) is not null)
        {
            throw new StorageCorruptionException(path, column.Offset, $"column '{family}.{column.Name}' appears twice in one block");
        }

        if (_entities is null)
        {
            throw new InvalidOperationException(
                $"part {_directory}: tag '{family}.{column.Name}' of series {destination.SeriesId} is its series' entity value, which the part does not store; "
                + "open the part through its shard (PartReader.Open with the series index's lookup) to read it");
        }

        entity ??= _entities(destination.SeriesId);
        TagValue? value = entity?.ValueOf(column.Name);
        byte[]? bytes = value is null ? null
            : column.Type == ColumnValueType.String && value.Kind == TagValueKind.Str ? System.Text.Encoding.UTF8.GetBytes(value.Text!)
            : column.Type == ColumnValueType.Binary && value.Kind == TagValueKind.Binary ? value.Bytes
            : null;
        if (bytes is null)
        {
            throw new StorageCorruptionException(path, column.Offset,
                $"tag '{family}.{column.Name}' of series {destination.SeriesId} is stored as the series key's value, but the series index holds "
                + (value is null ? "no such series or tag" : $"a {value.Kind} for it, not a {column.Type}"));
        }

        ColumnBuffer target = destination.AddColumnUnfilled(family, column.Name, column.Type);
        target.Reserve(rowCount);
        if (rowCount > 0)
        {
            target.AppendBytes(bytes);
            for (int i = 1; i < rowCount; i++)
            {
                if (target.CanRepeatLastRow)
                {
                    target.AppendLastRowAgain(); // one copy of the value for the block, as the seal keeps it
                }
                else
                {
                    target.AppendBytes(bytes);
                }
            }
        }

        target.HoldsSeriesEntity = true;
    }

    private static void CheckEncoding(ref SpanReader reader, byte expected, string what)
    {
        if (reader.Remaining == 0 || reader.RemainingSpan[0] != expected)
        {
            EncodingCorruption.Throw(reader.Position, $"{what} encoding differs from the block header's ({expected})");
        }
    }

    private LoadedChunk LoadChunk(int index)
    {
        PrimaryChunkInfo chunk = _chunks[index];
        string path = PathOf(PartFileNames.Primary);
        var scratch = new DecodeScratch();
        int length = ReadFrame(_primary, path, chunk.Offset, chunk.Size, scratch);
        BlockHeader[] headers;
        try
        {
            var reader = new SpanReader(scratch.Raw.AsSpan(0, length));
            int count = reader.ReadLength(BlockHeaderCodec.MaxRowsPerBlock);
            if (count != chunk.BlockCount)
            {
                EncodingCorruption.Throw(0, $"chunk holds {count} blocks, meta.bin says {chunk.BlockCount}");
            }

            Func<string, long> familyLength = family => _families.TryGetValue(family, out FamilyFiles? files) ? files.DirectoryLength : -1;
            headers = _compact
                ? CompactBlockHeaderCodec.ReadChunk(reader.RemainingSpan, count, _timestampsLength, _fieldValuesLength, familyLength, Metadata.FormatVersion)
                : BlockHeaderCodec.ReadChunk(reader.RemainingSpan, count, _timestampsLength, _fieldValuesLength, familyLength);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw Rethrow(e, path, chunk.Offset);
        }
        catch (StorageCorruptionException e) when (!Path.IsPathRooted(e.FilePath))
        {
            // A file the block headers point into is shorter than they say (named by its part file name).
            throw new StorageCorruptionException(PathOf(e.FilePath), e.Offset, e.Detail, e);
        }

        if (headers[0].SeriesId != chunk.FirstSeriesId || headers[^1].SeriesId != chunk.LastSeriesId)
        {
            throw new StorageCorruptionException(path, chunk.Offset, "chunk's series range disagrees with meta.bin");
        }

        for (int h = 1; h < headers.Length; h++)
        {
            // FindBlocks seeks series by binary search in this order.
            if (headers[h].SeriesId < headers[h - 1].SeriesId)
            {
                throw new StorageCorruptionException(path, chunk.Offset, $"block {h} of the chunk is of series {headers[h].SeriesId:x16}, below block {h - 1}'s {headers[h - 1].SeriesId:x16}: headers are not in series order");
            }
        }

        foreach (BlockHeader header in headers)
        {
            if (header.MinTimestamp < chunk.MinTimestamp || header.MaxTimestamp > chunk.MaxTimestamp)
            {
                throw new StorageCorruptionException(path, chunk.Offset, "block time range lies outside the chunk's range in meta.bin");
            }

            if (_fieldValues is null && header.Fields.Count > 0)
            {
                throw new StorageCorruptionException(path, chunk.Offset, "stream part block has measure fields");
            }
        }

        foreach (BlockHeader header in headers)
        {
            header.Owner = this;
        }

        ulong[] seriesIds = new ulong[headers.Length];
        for (int h = 0; h < headers.Length; h++)
        {
            seriesIds[h] = headers[h].SeriesId;
        }

        var loaded = new LoadedChunk(headers, seriesIds);
        Volatile.Write(ref _chunkHeaders[index], loaded);
        return loaded;
    }

    // The chunk entries of meta.bin and, from format 3 on, the tag name tables after them (empty before).
    private (PrimaryChunkInfo[] Chunks, Dictionary<string, string[]> TagNames) ReadMeta(long primaryLength)
    {
        string path = PathOf(PartFileNames.Meta);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageCorruptionException(path, 0, "file is missing", e);
        }

        PartFileMagic.Validate(bytes, path, PartFileMagic.Meta, Metadata.FormatVersion);
        var scratch = new DecodeScratch();
        int length = _compact
            ? CompactFrame.Read(bytes.AsSpan(PartFileMagic.HeaderSize), path, PartFileMagic.HeaderSize, ref scratch.Raw)
            : Frame.Read(bytes.AsSpan(PartFileMagic.HeaderSize), path, PartFileMagic.HeaderSize, ref scratch.Raw);
        try
        {
            var reader = new SpanReader(scratch.Raw.AsSpan(0, length));
            int count = reader.ReadLength(length / PrimaryChunkInfo.SerializedSize);
            var chunks = new PrimaryChunkInfo[count];
            long blocks = 0;
            for (int i = 0; i < count; i++)
            {
                int start = reader.Position;
                PrimaryChunkInfo chunk = PrimaryChunkInfo.Read(ref reader);
                if (chunk.BlockCount <= 0 || chunk.FirstSeriesId > chunk.LastSeriesId || chunk.MinTimestamp > chunk.MaxTimestamp
                    || (i > 0 && chunk.FirstSeriesId < chunks[i - 1].LastSeriesId))
                {
                    EncodingCorruption.Throw(start, $"chunk entry {i} has an empty or out-of-order range");
                }

                if (chunk.Size < Frame.HeaderSize || chunk.Offset < PartFileMagic.HeaderSize)
                {
                    EncodingCorruption.Throw(start, $"chunk entry {i} [{chunk.Offset}, {chunk.Offset + chunk.Size}) lies outside {PartFileNames.Primary} ({primaryLength} bytes)");
                }

                if (chunk.Offset + chunk.Size > primaryLength)
                {
                    // meta.bin passed its checksum: primary.bin is the file that was cut.
                    throw new StorageCorruptionException(PathOf(PartFileNames.Primary), primaryLength,
                        $"file is {primaryLength} bytes, but chunk entry {i} of {PartFileNames.Meta} refers to its bytes [{chunk.Offset}, {chunk.Offset + chunk.Size}): the file was cut short");
                }

                blocks += chunk.BlockCount;
                chunks[i] = chunk;
            }

            Dictionary<string, string[]> tagNames = Metadata.FormatVersion >= 3
                ? TagNameTable.ReadAll(ref reader, Metadata.TagFamilies)
                : new(StringComparer.Ordinal);
            reader.EnsureEnd();
            if (blocks != Metadata.BlockCount)
            {
                EncodingCorruption.Throw(0, $"chunks hold {blocks} blocks, metadata.json says {Metadata.BlockCount}");
            }

            return (chunks, tagNames);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw Rethrow(e, path, PartFileMagic.HeaderSize);
        }
    }

    private SafeFileHandle OpenChecked(string name, uint magic, out long length)
    {
        string path = PathOf(name);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageCorruptionException(path, 0, "file is missing", e);
        }

        try
        {
            length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[PartFileMagic.HeaderSize];
            int read = RandomAccess.Read(handle, header, 0);
            PartFileMagic.Validate(header[..read], path, magic, Metadata.FormatVersion);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private int ReadFrame(SafeFileHandle file, string path, long offset, int size, DecodeScratch scratch)
    {
        if (scratch.Frame.Length < size)
        {
            scratch.Frame = new byte[Math.Max(size, scratch.Frame.Length * 2)];
        }

        Span<byte> frame = scratch.Frame.AsSpan(0, size);
        int total = 0;
        while (total < size)
        {
            int read = RandomAccess.Read(file, frame[total..], offset + total);
            if (read == 0)
            {
                throw new StorageCorruptionException(path, offset + total, $"file ends inside a {size}-byte frame");
            }

            total += read;
        }

        return _compact ? CompactFrame.Read(frame, path, offset, ref scratch.Raw) : Frame.Read(frame, path, offset, ref scratch.Raw);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static StorageCorruptionException Rethrow(StorageCorruptionException e, string path, long frameOffset) =>
        new(path, frameOffset, $"{e.Detail} (at byte {e.Offset} of the decoded frame)", e);

    // A chunk's block headers as loaded, with their series ids in an array of their own for the seek in FindBlocks;
    // published as one object so a reader sees both or neither.
    private sealed record LoadedChunk(BlockHeader[] Headers, ulong[] SeriesIds);
}
