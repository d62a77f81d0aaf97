using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Compression;
using Banyan.Storage.Durability;
using Banyan.Storage.Encodings;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Writes a part folder from blocks (<see cref="WriteBlock"/>) or rows (<see cref="AppendRow"/>) given in
/// (series id, timestamp) order. Files are written in a <see cref="StagingDirectory"/>
/// (<c>&lt;directory&gt;.tmp</c>); <see cref="Complete"/> fsyncs every file, then commits the folder
/// (fsync, rename, fsync of the parent), so a part is either wholly there or absent after a crash.
/// Disposing without completing deletes the temporary folder.
/// </summary>
public sealed class PartWriter : IDisposable
{
    private readonly StagingDirectory _staging;
    private readonly DataKind _kind;
    private readonly PartWriterOptions _options;
    private readonly int _maxRows;
    private readonly FileAppender _timestamps;
    private readonly FileAppender? _fieldValues;
    private readonly FileAppender _primary;
    // Each tag family's files and (format 3) its tag names, numbered for the block directories and written once in meta.bin.
    private readonly SortedDictionary<string, (FileAppender Values, FileAppender Directory, TagNameTable Names)> _families = new(StringComparer.Ordinal);
    private readonly ByteBuffer _raw = new(4096);
    private readonly ByteBuffer _frame = new(4096);
    private readonly ByteBuffer _chunk = new(64 << 10);
    private readonly ByteBuffer _metaEntries = new(1024);
    private readonly List<ColumnHeader> _fieldHeaders = [];
    private readonly List<ColumnHeader> _tagHeaders = [];
    private readonly List<TagFamilyHeader> _familyHeaders = [];
    private Block _pending = new();

    // Blocks are encoded and compressed QueueBlocks at a time on a pool thread while the writer fills the next
    // QueueBlocks, then placed in order; see HandOffQueue and DrainQueue.
    private const int QueueBlocks = 64;
    private readonly bool _parallel;
    private List<EncodedBlock> _queue = [];
    private int _queued;

    // The blocks handed off before the ones being queued: encoded by a pool thread (the writer takes what it has not
    // taken when it needs them placed), placed before any later block.
    private List<EncodedBlock> _inFlight = [];
    private int _inFlightCount;
    private TwoThreadWork? _inFlightWork;
    private readonly EncodedBlock _single = new();
    private readonly ByteBuffer _helperRaw = new(4096);
    private readonly Stack<Block> _spareBlocks = new();
    private readonly uint _version;
    private readonly CompactBlockHeaderCodec? _headerCodec;
    private BlockCutter _cutter;
    private readonly List<PrimaryChunkInfo> _chunks = [];

    private int _chunkBlocks;
    private ulong _chunkFirstSeries;
    private ulong _chunkLastSeries;
    private long _chunkMin;
    private long _chunkMax;

    private bool _any;
    private ulong _lastSeries;
    private long _lastMax;
    private long _rows;
    private long _blocks;
    private long _series;
    private long _minTimestamp;
    private long _maxTimestamp;
    private long _uncompressed;
    private bool _completed;
    private bool _disposed;

    /// <summary>Starts writing the part that will be <paramref name="directory"/>.</summary>
    /// <exception cref="IOException"><paramref name="directory"/> already exists.</exception>
    public PartWriter(string directory, DataKind kind, PartWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _kind = kind;
        _options = options ?? PartWriterOptions.Default;
        _maxRows = _options.MaxRowsPerBlock(kind);
        _cutter = new BlockCutter(kind, _options);
        _version = _options.FormatVersion;
        _headerCodec = _version >= 2 ? new CompactBlockHeaderCodec() : null;
        _parallel = _options.ParallelEncoding && Environment.ProcessorCount > 1;
        _staging = new StagingDirectory(directory, _options.Fsync);
        _timestamps = Create(PartFileNames.Timestamps, PartFileMagic.Timestamps);
        _primary = Create(PartFileNames.Primary, PartFileMagic.Primary);
        if (kind == DataKind.Measure)
        {
            _fieldValues = Create(PartFileNames.FieldValues, PartFileMagic.FieldValues);
        }
    }

    /// <summary>Writes one block: rows of one series, timestamps ascending, after every block written before.</summary>
    /// <exception cref="ArgumentException">The block is empty, unsorted, out of order, or a measure block has too many rows.</exception>
    public void WriteBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        FlushPending();
        WriteBlockCore(block, retained: false, owned: false);
    }

    /// <summary>
    /// A block of the writer's for the caller to fill and hand to <see cref="WriteRentedBlock"/> (a memory part's flush
    /// copies each of its blocks into one): a block the writer has placed is reused, so a flush of thousands of blocks
    /// allocates a few.
    /// </summary>
    internal Block RentBlock()
    {
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        return _spareBlocks.Count > 0 ? _spareBlocks.Pop() : new Block();
    }

    /// <summary>
    /// Writes a block from <see cref="RentBlock"/>, which the caller no longer touches: it may wait in the queue of
    /// blocks encoded together, and is reused once placed.
    /// </summary>
    internal void WriteRentedBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        FlushPending();
        if (_parallel)
        {
            WriteBlockCore(block, retained: true, owned: true);
        }
        else
        {
            WriteBlockCore(block, retained: false, owned: false);
            _spareBlocks.Push(block);
        }
    }

    /// <summary>
    /// Appends row <paramref name="row"/> of <paramref name="source"/> (rows must come in (series, timestamp)
    /// order); blocks are cut at series changes and at the row and size limits.
    /// </summary>
    public void AppendRow(Block source, int row)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        CutBlockBefore(source);
        _pending.AppendRow(source, row);
        _cutter.Add(1, _pending.UncompressedSize - _cutter.Bytes);
    }

    /// <summary>
    /// Appends rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of
    /// <paramref name="source"/> (in order after every row appended before), as many
    /// <see cref="AppendRow"/> calls would, but copying ranges: merges move long runs of one part's rows.
    /// </summary>
    public void AppendRows(Block source, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        if (!HasFixedWidthColumns(source) || !HasFixedWidthColumns(_pending))
        {
            if (HasEqualSizeRows(source, start, count))
            {
                AppendEqualSizeRows(source, start, count);
                return;
            }

            // Variable-size rows: the size limit is checked row by row.
            for (int i = start; i < start + count; i++)
            {
                AppendRow(source, i);
            }

            return;
        }

        while (count > 0)
        {
            CutBlockBefore(source);

            // Rows that fit before a limit cuts the block (at least one, as AppendRow would take).
            long rowBytes = 16L + (8L * Math.Max(source.Columns.Count, _pending.Columns.Count));
            int take = _cutter.Fit(count, rowBytes);
            _pending.AppendRows(source, start, take);
            _cutter.Add(take, _pending.UncompressedSize - _cutter.Bytes);
            start += take;
            count -= take;
        }
    }

    // Rows whose byte strings have the same size in every row (a series' tags, read back from its key for a merge, are
    // the common case) each add the same bytes to the block once its columns are mapped to the source's: one row is
    // appended alone to map them, the next alone to measure that size, and then the rows that fit before a limit are
    // taken as a range, so the blocks are cut exactly where row-by-row appends would cut them. After a cut the new
    // block is mapped and measured again (it may lack columns the old one had).
    private void AppendEqualSizeRows(Block source, int start, int count)
    {
        int end = start + count;
        while (start < end)
        {
            AppendRow(source, start++);
            if (start == end || _cutter.MustCut(source.SeriesId))
            {
                continue;
            }

            long before = _cutter.Bytes;
            AppendRow(source, start++);
            long rowBytes = _cutter.Bytes - before;
            if (start == end || _cutter.MustCut(source.SeriesId))
            {
                continue;
            }

            int take = _cutter.Fit(end - start, rowBytes);
            _pending.AppendRows(source, start, take);
            _cutter.Add(take, _pending.UncompressedSize - _cutter.Bytes);
            start += take;
        }
    }

    // True when every byte-string column of the source has values of one size over the rows (a null counts as size 0,
    // as Block.UncompressedSize counts it).
    private static bool HasEqualSizeRows(Block source, int start, int count)
    {
        foreach (ColumnBuffer column in source.Columns)
        {
            if (ColumnValueTypes.IsBytes(column.Type) && !column.HasEqualSizes(start, count))
            {
                return false;
            }
        }

        return true;
    }

    // Writes out the pending block when the next row of `source` may not join it (the block cutter's
    // rule: another series, or the row or size limit reached), and starts the block for that series.
    private void CutBlockBefore(Block source)
    {
        if (_cutter.MustCut(source.SeriesId))
        {
            FlushPending();
            _pending.Reset(source.SeriesId);
            _cutter.Start(source.SeriesId);
        }
    }

    private static bool HasFixedWidthColumns(Block block)
    {
        foreach (ColumnBuffer column in block.Columns)
        {
            if (ColumnValueTypes.IsBytes(column.Type))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Finishes the part and makes it visible under its final name.</summary>
    public PartMetadata Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        FlushPending();
        DrainQueue();
        FlushChunk();

        using (FileAppender meta = Create(PartFileNames.Meta, PartFileMagic.Meta))
        {
            _raw.Clear();
            _raw.WriteVarUInt64((ulong)_chunks.Count);
            foreach (PrimaryChunkInfo chunk in _chunks)
            {
                chunk.Write(_raw);
            }

            if (_version >= 3)
            {
                TagNameTable.WriteAll(_families.Select(f => KeyValuePair.Create(f.Key, f.Value.Names)), _raw);
            }

            _frame.Clear();
            if (_headerCodec is null)
            {
                Frame.Write(_frame, _raw.WrittenSpan, _options.Codec, _options.ZstdLevel);
            }
            else
            {
                CompactFrame.Write(_frame, _raw.WrittenSpan, _options.Codec, _options.ZstdLevel);
            }

            meta.Write(_frame.WrittenSpan);
            Close(meta);
        }

        long compressed = PartFileMagic.HeaderSize + _frame.Length;
        compressed += Close(_timestamps) + Close(_primary);
        if (_fieldValues is not null)
        {
            compressed += Close(_fieldValues);
        }

        var familyNames = new List<string>(_families.Count);
        foreach ((string family, (FileAppender values, FileAppender directory, _)) in _families)
        {
            compressed += Close(values) + Close(directory);
            familyNames.Add(family);
        }

        var metadata = new PartMetadata
        {
            FormatVersion = _version,
            Kind = _kind,
            RowCount = _rows,
            BlockCount = _blocks,
            SeriesCount = _series,
            MinTimestamp = _any ? _minTimestamp : 0,
            MaxTimestamp = _any ? _maxTimestamp : 0,
            UncompressedBytes = _uncompressed,
            CompressedBytes = compressed,
            TagFamilies = familyNames,
        };
        using (FileAppender json = _staging.CreateFile(PartFileNames.Metadata))
        {
            json.Write(metadata.ToJson());
            Close(json);
        }

        _staging.Commit();
        _completed = true;
        return metadata;
    }

    /// <summary>Releases files; deletes the temporary folder unless <see cref="Complete"/> ran.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Every file is closed even when one fails: closing flushes buffered bytes, which on a full
        // disk fails again, and a file left open would keep its (deleted) space taken. The bytes of
        // an unfinished part are thrown away, so their flush errors do not matter then.
        IOException? failure = null;
        CloseQuietly(_timestamps, ref failure);
        CloseQuietly(_primary, ref failure);
        CloseQuietly(_fieldValues, ref failure);
        foreach ((FileAppender values, FileAppender directory, _) in _families.Values)
        {
            CloseQuietly(values, ref failure);
            CloseQuietly(directory, ref failure);
        }

        // A batch still being encoded (the part failed): its pool thread stops before the buffers it writes go.
        _inFlightWork?.Abandon();
        _inFlightWork = null;
        _raw.Dispose();
        _helperRaw.Dispose();
        _single.Dispose();
        foreach (EncodedBlock queued in _queue)
        {
            queued.Dispose();
        }

        foreach (EncodedBlock handedOff in _inFlight)
        {
            handedOff.Dispose();
        }

        _frame.Dispose();
        _chunk.Dispose();
        _metaEntries.Dispose();
        _staging.Dispose();

        if (_completed && failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static void CloseQuietly(FileAppender? stream, ref IOException? failure)
    {
        try
        {
            stream?.Dispose();
        }
        catch (IOException e)
        {
            failure ??= e;
        }
    }

    private void FlushPending()
    {
        _cutter.Close();
        if (_pending.Count > 0)
        {
            if (_parallel)
            {
                // The full block waits in the queue; rows go on into a spare one (it comes back once placed).
                Block full = _pending;
                _pending = _spareBlocks.Count > 0 ? _spareBlocks.Pop() : new Block();
                _pending.Reset(0);
                WriteBlockCore(full, retained: true, owned: true);
            }
            else
            {
                WriteBlockCore(_pending, retained: false, owned: false);
                _pending.Reset(0);
            }
        }
    }

    // Checks the block and counts it (in block order), then encodes and places it: at once, or, for a
    // retained block when encoding runs on two threads, after the queue fills.
    private void WriteBlockCore(Block block, bool retained, bool owned)
    {
        Admit(block);
        if (!retained || !_parallel)
        {
            DrainQueue();
            _single.Block = block;
            EncodeFrames(_single, _raw);
            Place(_single);
            _single.Block = null!;
            return;
        }

        if (_queued == _queue.Count)
        {
            _queue.Add(new EncodedBlock());
        }

        EncodedBlock slot = _queue[_queued++];
        slot.Block = block;
        slot.OwnedByWriter = owned;
        if (_queued == QueueBlocks)
        {
            HandOffQueue();
        }
    }

    // Validation against the blocks before, and the part's counts; runs in block order.
    private void Admit(Block block)
    {
        int n = block.Count;
        if (n == 0)
        {
            throw new ArgumentException("cannot write an empty block", nameof(block));
        }

        if (n > _maxRows)
        {
            throw new ArgumentException($"block of {n} rows exceeds the limit of {_maxRows}", nameof(block));
        }

        ReadOnlySpan<long> timestamps = block.Timestamps;
        for (int i = 1; i < n; i++)
        {
            if (timestamps[i] < timestamps[i - 1])
            {
                throw new ArgumentException($"series {block.SeriesId}: timestamps not ascending at row {i}", nameof(block));
            }
        }

        long min = timestamps[0];
        long max = timestamps[n - 1];
        if (_any && (block.SeriesId < _lastSeries || (block.SeriesId == _lastSeries && min < _lastMax)))
        {
            throw new ArgumentException($"block (series {block.SeriesId}, time {min}) comes before the previous block (series {_lastSeries}, time {_lastMax})", nameof(block));
        }

        IReadOnlyList<ColumnBuffer> columns = block.Columns;
        for (int c = 0; c < columns.Count; c++)
        {
            ColumnBuffer column = columns[c];
            if (column.Count != n)
            {
                throw new ArgumentException($"column '{column.Family}.{column.Name}' has {column.Count} values for {n} rows", nameof(block));
            }

            if (column.Family is null && _fieldValues is null)
            {
                throw new ArgumentException($"field '{column.Name}': streams have no fields", nameof(block));
            }
        }

        if (!_any || block.SeriesId != _lastSeries)
        {
            _series++;
        }

        _minTimestamp = _any ? Math.Min(_minTimestamp, min) : min;
        _maxTimestamp = _any ? Math.Max(_maxTimestamp, max) : max;
        _any = true;
        _lastSeries = block.SeriesId;
        _lastMax = max;
        _rows += n;
        _blocks++;
        _uncompressed += block.UncompressedSize;
    }

    // A full queue goes to a pool thread to be encoded while this thread fills the next one (assembling blocks, in a
    // flush from memory parts or a merge, takes about as long as encoding them: done one after the other, one of two
    // cores idled half the time). The batch handed off before is placed first, this thread encoding whatever of it the
    // pool thread has not taken yet.
    private void HandOffQueue()
    {
        FinishInFlight();
        (_queue, _inFlight) = (_inFlight, _queue);
        _inFlightCount = _queued;
        _queued = 0;
        _inFlightWork = TwoThreadWork.Start(new SlotEncoding(this, _inFlight), _inFlightCount);
    }

    // Places the handed-off batch, once every block of it is encoded.
    private void FinishInFlight()
    {
        if (_inFlightWork is not { } work)
        {
            return;
        }

        _inFlightWork = null;
        work.Finish();
        PlaceAll(_inFlight, _inFlightCount);
        _inFlightCount = 0;
    }

    // Everything queued encoded (the handed-off batch first, then the queue, on this thread and one pool thread: each
    // takes the next block not taken) and placed in order. The bytes are those of encoding the blocks one by one: each
    // frame depends only on its block, and offsets are given at placement.
    private void DrainQueue()
    {
        FinishInFlight();
        if (_queued == 0)
        {
            return;
        }

        TwoThreadWork.Run(new SlotEncoding(this, _queue), _queued);
        PlaceAll(_queue, _queued);
        _queued = 0;
    }

    private void PlaceAll(List<EncodedBlock> slots, int count)
    {
        for (int i = 0; i < count; i++)
        {
            EncodedBlock slot = slots[i];
            Place(slot);
            if (slot.OwnedByWriter)
            {
                _spareBlocks.Push(slot.Block);
            }

            slot.Block = null!;
        }
    }

    // The encoding of one batch of slots: the writer's thread uses the writer's scratch buffer, the pool thread its own.
    // One batch is encoded at a time (a batch is finished before the next is handed off), so the helper's buffer is never
    // shared.
    private sealed class SlotEncoding(PartWriter writer, List<EncodedBlock> slots) : ITwoThreadWork
    {
        public void Run(int item, bool onHelper) => writer.EncodeFrames(slots[item], onHelper ? writer._helperRaw : writer._raw);
    }

    // The block's timestamp frame, field frames and tag frames, into `encoded`'s buffers, with `raw` as scratch.
    // Reads only the block and settings fixed at construction: safe on two threads at once.
    private void EncodeFrames(EncodedBlock encoded, ByteBuffer raw)
    {
        Block block = encoded.Block;
        int n = block.Count;
        ReadOnlySpan<long> timestamps = block.Timestamps;

        // Timestamps and versions/element ids: one frame. Format 2 leaves out evenly spaced timestamps
        // (the header's min, max and row count give them) and a constant version (kept in the header).
        bool timestampsStored = true;
        bool versionsStored = true;
        long constantVersion = 0;
        ReadOnlySpan<long> versions = block.Versions;
        if (_headerCodec is not null)
        {
            timestampsStored = !IsEvenlySpaced(timestamps);
            versionsStored = versions.IndexOfAnyExcept(versions[0]) >= 0;
            constantVersion = versionsStored ? 0 : versions[0];
        }

        IntegerEncodingKind timestampsEncoding = IntegerEncodingKind.DeltaConst;
        IntegerEncodingKind versionsEncoding = IntegerEncodingKind.Const;
        encoded.TimestampsFrame.Clear();
        encoded.TimestampsFrameSize = 0;
        if (timestampsStored || versionsStored)
        {
            raw.Clear();
            bool compact = _headerCodec is not null;
            if (timestampsStored)
            {
                timestampsEncoding = IntegerSequenceCodec.Encode(timestamps, raw, allowRice: compact);
            }

            if (versionsStored)
            {
                versionsEncoding = IntegerSequenceCodec.Encode(versions, raw, allowRice: compact);
            }

            encoded.TimestampsFrameSize = FrameInto(encoded.TimestampsFrame, raw, _options.Codec, _options.ZstdLevel);
        }

        encoded.TimestampsStored = timestampsStored;
        encoded.VersionsStored = versionsStored;
        encoded.ConstantVersion = constantVersion;
        encoded.TimestampsEncoding = timestampsEncoding;
        encoded.VersionsEncoding = versionsEncoding;

        encoded.ClearColumns();
        IReadOnlyList<ColumnBuffer> columns = block.Columns;
        for (int c = 0; c < columns.Count; c++)
        {
            ColumnBuffer column = columns[c];
            if (column.Family is not null)
            {
                raw.Clear();
                EncodedColumn tag = encoded.NextTag();
                if (StoredAsSeriesKey(column))
                {
                    // Its values are the series key's, which the series index keeps: only the directory entry is written.
                    tag.Encoding = ColumnCodec.BytesFromSeriesKey;
                    tag.FrameSize = 0;
                }
                else
                {
                    tag.Encoding = EncodeColumn(column, raw);
                    tag.FrameSize = FrameInto(tag.Frame, raw, _options.Codec, _options.ZstdLevel);
                }

                tag.Name = column.Name;
                tag.Type = column.Type;
                tag.Family = column.Family;
            }
            else
            {
                raw.Clear();
                byte encoding = EncodeColumn(column, raw);
                ulong descriptor = 0;
                int descriptorLength = 0;
                bool incompressible = false;
                if (_headerCodec is not null)
                {
                    incompressible = ColumnCodec.IsRiceCoded(raw.WrittenSpan, column.Type, n);

                    // The payload's leading bytes go to the block header (ColumnHeader.Descriptor).
                    descriptorLength = Math.Min(raw.Length, ColumnHeader.MaxDescriptorLength);
                    for (int i = 0; i < descriptorLength; i++)
                    {
                        descriptor |= (ulong)raw.WrittenSpan[i] << (8 * i);
                    }

                    raw.RemoveRange(0, descriptorLength);
                }

                EncodedColumn field = encoded.NextField();
                int level = column.Type == ColumnValueType.Binary ? _options.BinaryZstdLevel : _options.ZstdLevel;
                field.FrameSize = incompressible ? FrameInto(field.Frame, raw, CompressionCodec.None, 0) : FrameInto(field.Frame, raw, _options.Codec, level);
                field.Name = column.Name;
                field.Type = column.Type;
                field.Encoding = encoding;
                field.Descriptor = descriptor;
                field.DescriptorLength = descriptorLength;
                field.Statistics = ColumnStatistics.Compute(column);
            }
        }
    }

    private int FrameInto(ByteBuffer output, ByteBuffer raw, CompressionCodec codec, int zstdLevel) => _headerCodec is null
        ? Frame.Write(output, raw.WrittenSpan, codec, zstdLevel)
        : CompactFrame.Write(output, raw.WrittenSpan, codec, zstdLevel);

    // Appends the encoded frames to the part's files (each tag family's directory encoded here, on the writer's
    // thread, as it holds the family's offsets) and the block header to the current chunk; in block order.
    private void Place(EncodedBlock encoded)
    {
        Block block = encoded.Block;
        int n = block.Count;
        long min = block.MinTimestamp;
        long max = block.MaxTimestamp;
        long tsOffset = 0;
        int tsSize = 0;
        if (encoded.TimestampsStored || encoded.VersionsStored)
        {
            tsOffset = _timestamps.Position;
            _timestamps.Write(encoded.TimestampsFrame.WrittenSpan);
            tsSize = encoded.TimestampsFrameSize;
        }

        _fieldHeaders.Clear();
        _familyHeaders.Clear();
        for (int f = 0; f < encoded.FieldCount; f++)
        {
            EncodedColumn field = encoded.Fields[f];
            long offset = _fieldValues!.Position;
            _fieldValues.Write(field.Frame.WrittenSpan);
            _fieldHeaders.Add(new ColumnHeader(field.Name, field.Type, offset, field.FrameSize, field.Encoding, field.Statistics)
            {
                Descriptor = field.Descriptor,
                DescriptorLength = field.DescriptorLength,
            });
        }

        // Tag families, each written once per block with all its columns (encoded with the block's fields, in column
        // order): a family's values, then its directory of column headers.
        for (int t = 0; t < encoded.TagCount; t++)
        {
            string family = encoded.Tags[t].Family!;
            if (HasFamilyHeader(family))
            {
                continue;
            }

            (FileAppender values, FileAppender directory, TagNameTable names) = GetFamily(family);
            _tagHeaders.Clear();
            for (int u = t; u < encoded.TagCount; u++)
            {
                EncodedColumn tag = encoded.Tags[u];
                if (tag.Family != family)
                {
                    continue;
                }

                long offset = values.Position;
                values.Write(tag.Frame.WrittenSpan);
                _tagHeaders.Add(new ColumnHeader(tag.Name, tag.Type, offset, tag.FrameSize, tag.Encoding, default));
            }

            _raw.Clear();
            if (_version >= 3)
            {
                BlockHeaderCodec.WriteTagDirectory(_tagHeaders, _raw, names);
            }
            else
            {
                BlockHeaderCodec.WriteTagDirectory(_tagHeaders, _raw);
            }

            (long dirOffset, int dirSize) = WriteFrame(directory);
            _familyHeaders.Add(new TagFamilyHeader(family, dirOffset, dirSize));
        }

        var header = new BlockHeader(block.SeriesId, n, min, max, tsOffset, tsSize, encoded.TimestampsEncoding, encoded.VersionsEncoding,
            [.. _fieldHeaders], [.. _familyHeaders], null)
        {
            TimestampsStored = encoded.TimestampsStored,
            VersionsStored = encoded.VersionsStored,
            ConstantVersion = encoded.ConstantVersion,
        };
        if (_chunkBlocks == 0)
        {
            _chunkFirstSeries = block.SeriesId;
            _chunkMin = min;
            _chunkMax = max;
            _headerCodec?.StartChunk();
        }

        if (_headerCodec is null)
        {
            BlockHeaderCodec.Write(header, _chunk);
        }
        else
        {
            _headerCodec.Write(header, _chunk);
        }

        _chunkBlocks++;
        _chunkLastSeries = block.SeriesId;
        _chunkMin = Math.Min(_chunkMin, min);
        _chunkMax = Math.Max(_chunkMax, max);

        if (_chunk.Length >= _options.PrimaryChunkBytes)
        {
            FlushChunk();
        }
    }

    private byte EncodeColumn(ColumnBuffer column, ByteBuffer raw) => ColumnCodec.EncodeForPart(column, raw, _version);

    // An entity tag column of the block's series (every row its series' value, none null), in a format that may leave it out.
    private bool StoredAsSeriesKey(ColumnBuffer column) =>
        column.HoldsSeriesEntity && column.Count > 0 && column.NullCount == 0 && ColumnCodec.AllowsFromSeriesKey(_version, column.Type);

    /// <summary>
    /// Row i at min + i·(max − min)/(n − 1) exactly, in wrapping 64-bit arithmetic, as the reader rebuilds
    /// them (<see cref="PartReader"/>); a single row always is.
    /// </summary>
    internal static bool IsEvenlySpaced(ReadOnlySpan<long> timestamps)
    {
        int n = timestamps.Length;
        if (n <= 1)
        {
            return true;
        }

        long min = timestamps[0];
        ulong span = unchecked((ulong)(timestamps[n - 1] - min));
        ulong steps = (ulong)(n - 1);
        if (span % steps != 0)
        {
            return false;
        }

        ulong step = span / steps;
        for (int i = 1; i < n - 1; i++)
        {
            if (timestamps[i] != unchecked(min + (long)(step * (ulong)i)))
            {
                return false;
            }
        }

        return true;
    }

    private bool HasFamilyHeader(string family)
    {
        foreach (TagFamilyHeader header in _familyHeaders)
        {
            if (header.Name == family)
            {
                return true;
            }
        }

        return false;
    }

    private void FlushChunk()
    {
        if (_chunkBlocks == 0)
        {
            return;
        }

        _raw.Clear();
        _raw.WriteVarUInt64((ulong)_chunkBlocks);
        _raw.Write(_chunk.WrittenSpan);
        (long offset, int size) = WriteFrame(_primary, _headerCodec is null ? _options.ZstdLevel : _options.PrimaryZstdLevel);
        _chunks.Add(new PrimaryChunkInfo(_chunkFirstSeries, _chunkLastSeries, _chunkMin, _chunkMax, _chunkBlocks, offset, size));
        _chunk.Clear();
        _chunkBlocks = 0;
    }

    /// <summary>Frames the content of <see cref="_raw"/> and appends it to <paramref name="file"/>.</summary>
    private (long Offset, int Size) WriteFrame(FileAppender file) => WriteFrame(file, _options.Codec, _options.ZstdLevel);

    private (long Offset, int Size) WriteFrame(FileAppender file, int zstdLevel) => WriteFrame(file, _options.Codec, zstdLevel);

    private (long Offset, int Size) WriteFrame(FileAppender file, CompressionCodec codec, int zstdLevel)
    {
        _frame.Clear();
        int size = _headerCodec is null
            ? Frame.Write(_frame, _raw.WrittenSpan, codec, zstdLevel)
            : CompactFrame.Write(_frame, _raw.WrittenSpan, codec, zstdLevel);
        long offset = file.Position;
        file.Write(_frame.WrittenSpan);
        return (offset, size);
    }

    private (FileAppender Values, FileAppender Directory, TagNameTable Names) GetFamily(string family)
    {
        if (!_families.TryGetValue(family, out (FileAppender Values, FileAppender Directory, TagNameTable Names) files))
        {
            TagFamilyName.Validate(family);
            files = (Create(PartFileNames.TagValues(family), PartFileMagic.TagValues), Create(PartFileNames.TagMetadata(family), PartFileMagic.TagMetadata), new TagNameTable());
            _families.Add(family, files);
        }

        return files;
    }

    private FileAppender Create(string name, uint magic)
    {
        FileAppender stream = _staging.CreateFile(name);
        using var header = new ByteBuffer(PartFileMagic.HeaderSize);
        PartFileMagic.Write(header, magic, _version);
        stream.Write(header.WrittenSpan);
        return stream;
    }

    /// <summary>Flushes (fsync when configured) and closes; returns the file length.</summary>
    private long Close(FileAppender stream)
    {
        stream.Flush(fsync: _options.Fsync);
        long length = stream.Length;
        stream.Dispose();
        return length;
    }
}
