using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;

namespace Banyan.Storage.Shards;

/// <summary>
/// One series' summary of a numeric field over a time range, added block by block (<see cref="Shard.SummarizeField"/>):
/// a block wholly inside the range gives its header statistics; a block across a bound is counted from its header when
/// only the count is read and the header can tell, else read (through the shard's decoded-block cache for a disk part)
/// and its rows in the range summarized. One instance per summary call: it holds the call's decoding buffers.
/// </summary>
internal sealed class FieldBlockSummarizer
{
    private readonly DecodedBlockCache? _cache;
    private readonly string _field;
    private readonly ColumnProjection _fieldOnly;
    private readonly long _minTimestamp;
    private readonly long _maxTimestamp;
    private readonly SummaryParts _parts;
    private readonly DecodeScratch _scratch;
    private Block? _buffer; // made on the first block decoded here rather than taken from the block cache
    private int _fieldAt; // where the field was in the last block's header: mostly where it is in the next

    // The current series' summary and the first and last timestamps of its rows in the range.
    private FieldSummary _summary;
    private long _first;
    private long _last;

    /// <summary>A summarizer of <paramref name="field"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>].</summary>
    public FieldBlockSummarizer(DecodedBlockCache? cache, string field, ColumnProjection fieldOnly, long minTimestamp, long maxTimestamp, SummaryParts parts, DecodeScratch scratch)
    {
        _cache = cache;
        _field = field;
        _fieldOnly = fieldOnly;
        _minTimestamp = minTimestamp;
        _maxTimestamp = maxTimestamp;
        _parts = parts;
        _scratch = scratch;
        Begin();
    }

    /// <summary>Starts the next series' summary.</summary>
    public void Begin()
    {
        _summary = default;
        _first = long.MaxValue;
        _last = long.MinValue;
    }

    /// <summary>Adds the current series' summary to <paramref name="result"/> when any of its rows lay in the range.</summary>
    public void End(ulong series, List<SeriesFieldSummary> result)
    {
        if (_first <= _last)
        {
            result.Add(new SeriesFieldSummary(series, _summary, _first, _last));
        }
    }

    /// <summary>
    /// Adds one block of the current series (of <paramref name="part"/>); false when the field's type differs from its
    /// type in the series' earlier blocks (the caller then gives up on statistics). Refuses a field that is not numeric.
    /// </summary>
    public bool Add(BlockHeader header, IPartReader part)
    {
        ColumnHeader? column = NumericField(header, _field, ref _fieldAt);
        if (_summary.Type != 0 && column is not null && column.Statistics.IsPresent && column.Statistics.Type != _summary.Type)
        {
            return false;
        }

        bool inside = header.MinTimestamp >= _minTimestamp && header.MaxTimestamp <= _maxTimestamp;
        if (inside && (column is null || !column.Statistics.SumOverflowed))
        {
            Span(header.MinTimestamp, header.MaxTimestamp);
            if (column is not null)
            {
                _summary.Add(column.Statistics);
                _summary.BlocksFromStatistics++;
            }

            return true;
        }

        if (_parts == SummaryParts.Count && column is not null && CountFromHeader(header, column) is { } counted)
        {
            if (counted.Statistics.Count > 0)
            {
                Span(counted.First, counted.Last);
                _summary.Add(counted.Statistics);
                _summary.BlocksFromStatistics++;
            }

            return true;
        }

        Block read = column is null ? ReadKeys(part, header) : ReadField(_cache, part, header, _field, _fieldOnly, ref _buffer, _scratch);
        ReadOnlySpan<long> timestamps = read.Timestamps;
        (int start, int end) = SortedTimestamps.Within(header, timestamps, _minTimestamp, _maxTimestamp);
        if (end == start)
        {
            return true;
        }

        Span(timestamps[start], timestamps[end - 1]);
        if (read.FindColumn(null, _field) is { } decoded)
        {
            _summary.Add(ColumnStatistics.Compute(decoded, start, end - start, _parts));
            _summary.BlocksDecoded++;
        }

        return true;
    }

    private void Span(long first, long last)
    {
        _first = Math.Min(_first, first);
        _last = Math.Max(_last, last);
    }

    // The count of a block's rows in the range and their first and last timestamps, from its header alone: when its
    // timestamps are evenly spaced (not stored, so known from the header) and every row has the field (no nulls to
    // skip). A COUNT over chart buckets cuts every block; this reads none of them. Null when the header cannot tell.
    private (ColumnStatistics Statistics, long First, long Last)? CountFromHeader(BlockHeader header, ColumnHeader column)
    {
        ColumnStatistics whole = column.Statistics;
        if (header.TimestampsStored || !whole.IsPresent || whole.Count != header.RowCount)
        {
            return null;
        }

        (int start, int end) = EvenlySpacedTimestamps.Within(header.MinTimestamp, header.MaxTimestamp, header.RowCount, _minTimestamp, _maxTimestamp, out ulong step);
        if (end == start)
        {
            return (ColumnStatistics.CountOnly(whole.Type, 0), 0, 0);
        }

        return (ColumnStatistics.CountOnly(whole.Type, end - start),
            EvenlySpacedTimestamps.At(header.MinTimestamp, step, start),
            EvenlySpacedTimestamps.At(header.MinTimestamp, step, end - 1));
    }

    /// <summary>
    /// The block's column of <paramref name="field"/>, null when no row of the block has it, looked for first at
    /// <paramref name="at"/> and set to where it was (<see cref="BlockHeader.FindField(string, ref int)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The field is not numeric.</exception>
    public static ColumnHeader? NumericField(BlockHeader header, string field, ref int at)
    {
        ColumnHeader? column = header.FindField(field, ref at);
        if (column is not null)
        {
            FieldSummaryReader.ThrowIfNotNumeric(column.Type, field);
        }

        return column;
    }

    /// <summary>
    /// The keys and <paramref name="field"/> of a block that straddles a bound: through the shard's block cache for a
    /// disk part when it has one (a chart's next bucket reads the same block), else decoded into
    /// <paramref name="buffer"/> (made here the first time).
    /// </summary>
    public static Block ReadField(DecodedBlockCache? cache, IPartReader part, BlockHeader header, string field, ColumnProjection fieldOnly, ref Block? buffer, DecodeScratch scratch)
    {
        if (cache is not null && part is PartReader disk)
        {
            return cache.ReadField(disk, header, field, fieldOnly, scratch);
        }

        buffer ??= new Block();
        part.ReadBlock(header, fieldOnly, buffer, scratch);
        return buffer;
    }

    private Block ReadKeys(IPartReader part, BlockHeader header)
    {
        _buffer ??= new Block();
        part.ReadBlock(header, ColumnProjection.KeysOnly, _buffer, _scratch);
        return _buffer;
    }
}
