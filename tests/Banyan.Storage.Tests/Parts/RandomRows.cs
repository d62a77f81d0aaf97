using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Generates random rows (random series, jittered and duplicated timestamps, floats with 0–6 decimals
/// plus NaN/Inf/-0.0, long and empty strings, nulls, arrays) and computes what a part must return.
/// </summary>
public sealed class RandomRows
{
    private readonly Random _random;

    public RandomRows(int seed, DataKind kind, int maxRows = 2000, int maxSeries = 20)
    {
        _random = new Random(seed);
        Kind = kind;
        Columns = kind == DataKind.Measure
            ? [
                new(null, "f_int", ColumnValueType.Int64),
                new(null, "f_float", ColumnValueType.Float64),
                new(null, "f_str", ColumnValueType.String),
                new(null, "f_bin", ColumnValueType.Binary),
                new("default", "t_str", ColumnValueType.String),
                new("default", "t_int", ColumnValueType.Int64),
                new("default", "t_ts", ColumnValueType.Timestamp),
                new("searchable", "t_arr", ColumnValueType.StringArray),
                new("searchable", "t_iarr", ColumnValueType.Int64Array),
            ]
            : [
                new("default", "t_str", ColumnValueType.String),
                new("default", "t_int", ColumnValueType.Int64),
                new("default", "t_bin", ColumnValueType.Binary),
                new("default", "t_float", ColumnValueType.Float64),
                new("extra", "t_arr", ColumnValueType.StringArray),
                new("extra", "t_iarr", ColumnValueType.Int64Array),
                new("extra", "t_ts", ColumnValueType.Timestamp),
            ];

        int seriesCount = 1 + _random.Next(maxSeries);
        var series = new ulong[seriesCount];
        for (int i = 0; i < seriesCount; i++)
        {
            series[i] = _random.Next(4) == 0 ? ulong.MaxValue - (ulong)_random.Next(1000) : (ulong)_random.NextInt64();
        }

        int rows = _random.Next(maxRows + 1);
        long baseTime = 1_700_000_000_000_000_000L + _random.NextInt64(1_000_000_000_000);
        var lastTs = new Dictionary<ulong, long>();
        for (int r = 0; r < rows; r++)
        {
            ulong s = series[_random.Next(seriesCount)];
            long ts;
            if (lastTs.TryGetValue(s, out long last) && _random.Next(6) == 0)
            {
                ts = last; // duplicate timestamp
            }
            else
            {
                ts = baseTime + (_random.Next(400) * 10_000_000_000L) + _random.Next(-3, 4) * 1_000_000L;
            }

            lastTs[s] = ts;
            long version = _random.Next(5);
            var values = new ColumnValue[Columns.Count];
            for (int c = 0; c < Columns.Count; c++)
            {
                values[c] = NextValue(Columns[c].Type);
            }

            Rows.Add(new ReferenceRow(s, ts, Kind == DataKind.Stream ? _random.NextInt64() : version, values));
        }
    }

    public DataKind Kind { get; }

    public List<ReferenceColumn> Columns { get; }

    public List<ReferenceRow> Rows { get; } = [];

    /// <summary>The batch holding <see cref="Rows"/>, filled row by row or columnar.</summary>
    public WriteBatch ToBatch(bool columnar) => ToBatch(Rows, columnar);

    public WriteBatch ToBatch(IReadOnlyList<ReferenceRow> rows, bool columnar)
    {
        var batch = new WriteBatch(Kind);
        foreach (ReferenceColumn column in Columns)
        {
            batch.AddColumn(column.Family, column.Name, column.Type);
        }

        if (!columnar)
        {
            foreach (ReferenceRow row in rows)
            {
                batch.AddRow(row.SeriesId, row.Timestamp, row.Version, row.Values);
            }

            return batch;
        }

        ulong[] series = new ulong[rows.Count];
        long[] timestamps = new long[rows.Count];
        long[] versions = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            series[i] = rows[i].SeriesId;
            timestamps[i] = rows[i].Timestamp;
            versions[i] = rows[i].Version;
        }

        batch.AppendKeys(series, timestamps, versions);
        for (int c = 0; c < Columns.Count; c++)
        {
            ColumnBuffer column = batch.Columns[c];
            foreach (ReferenceRow row in rows)
            {
                column.Append(row.Values[c]);
            }
        }

        return batch;
    }

    /// <summary>What reading the rows back must give: sorted, measures deduplicated (highest version, then latest row).</summary>
    public static List<ReferenceRow> Expected(DataKind kind, IReadOnlyList<IReadOnlyList<ReferenceRow>> parts)
    {
        var all = new List<(ReferenceRow Row, int Part, int Index)>();
        for (int p = 0; p < parts.Count; p++)
        {
            for (int i = 0; i < parts[p].Count; i++)
            {
                all.Add((parts[p][i], p, i));
            }
        }

        if (kind == DataKind.Stream)
        {
            return [.. all.OrderBy(x => x.Row.SeriesId).ThenBy(x => x.Row.Timestamp).ThenBy(x => x.Part).ThenBy(x => x.Index).Select(x => x.Row)];
        }

        return [.. all.GroupBy(x => (x.Row.SeriesId, x.Row.Timestamp))
            .Select(g => g.OrderByDescending(x => x.Row.Version).ThenByDescending(x => x.Part).ThenByDescending(x => x.Index).First().Row)
            .OrderBy(r => r.SeriesId).ThenBy(r => r.Timestamp)];
    }

    private ColumnValue NextValue(ColumnValueType type)
    {
        if (_random.Next(10) == 0)
        {
            return ColumnValue.Null;
        }

        switch (type)
        {
            case ColumnValueType.Int64:
                return ColumnValue.FromInt64(_random.Next(4) switch
                {
                    0 => _random.Next(-5, 5),
                    1 => _random.NextInt64(long.MinValue, long.MaxValue),
                    2 => 1000 + _random.Next(50),
                    _ => _random.NextInt64(-1_000_000, 1_000_000),
                });
            case ColumnValueType.Timestamp:
                return ColumnValue.FromTimestamp(1_700_000_000_000_000_000L + _random.Next(1000));
            case ColumnValueType.Float64:
                return ColumnValue.FromFloat64(NextDouble(_random));
            case ColumnValueType.String:
                return ColumnValue.FromString(_random.Next(5) switch
                {
                    0 => string.Empty,
                    1 => new string('x', _random.Next(300, 3000)) + _random.Next(),
                    2 => "svc-" + _random.Next(3),
                    3 => "ünïcødé-" + _random.Next(10),
                    _ => "value-" + _random.Next(),
                });
            case ColumnValueType.Binary:
                {
                    byte[] bytes = new byte[_random.Next(4) == 0 ? 0 : _random.Next(1, 200)];
                    _random.NextBytes(bytes);
                    return ColumnValue.FromBinary(bytes);
                }

            case ColumnValueType.StringArray:
                {
                    string[] array = new string[_random.Next(4)];
                    for (int i = 0; i < array.Length; i++)
                    {
                        array[i] = _random.Next(3) == 0 ? string.Empty : "e" + _random.Next(5);
                    }

                    return ColumnValue.FromStringArray(array);
                }

            default:
                {
                    long[] array = new long[_random.Next(4)];
                    for (int i = 0; i < array.Length; i++)
                    {
                        array[i] = _random.NextInt64(long.MinValue, long.MaxValue);
                    }

                    return ColumnValue.FromInt64Array(array);
                }
        }
    }

    /// <summary>Floats with 0–6 decimals, and now and then NaN, ±Inf, -0.0 or random bits.</summary>
    public static double NextDouble(Random random)
    {
        return random.Next(20) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => double.NegativeInfinity,
            3 => -0.0,
            4 => BitConverter.Int64BitsToDouble(random.NextInt64()),
            _ => Math.Round((random.NextDouble() - 0.5) * 2000, random.Next(7)),
        };
    }

    /// <summary>Reads every row of <paramref name="part"/> block by block (no merge), as reference rows.</summary>
    public List<ReferenceRow> ReadAll(IPartReader part, ColumnProjection? projection = null)
    {
        var headers = new List<BlockHeader>();
        part.FindBlocks(SeriesTimeFilter.All, headers);
        var block = new Block();
        var scratch = new Banyan.Storage.Encodings.DecodeScratch();
        var result = new List<ReferenceRow>();
        foreach (BlockHeader header in headers)
        {
            part.ReadBlock(header, projection ?? ColumnProjection.All, block, scratch);
            Assert.Equal(header.RowCount, block.Count);
            for (int r = 0; r < block.Count; r++)
            {
                result.Add(ToReference(block, r));
            }
        }

        return result;
    }

    public ReferenceRow ToReference(Block block, int row)
    {
        var values = new ColumnValue[Columns.Count];
        for (int c = 0; c < Columns.Count; c++)
        {
            ColumnBuffer? column = block.FindColumn(Columns[c].Family, Columns[c].Name);
            values[c] = column is null ? ColumnValue.Null : column.GetValue(row);
        }

        return new ReferenceRow(block.SeriesId, block.Timestamps[row], block.Versions[row], values);
    }

    public static void AssertSame(IReadOnlyList<ReferenceRow> expected, IReadOnlyList<ReferenceRow> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: expected {expected.Count} rows, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            ReferenceRow e = expected[i];
            ReferenceRow a = actual[i];
            Assert.True(e.SeriesId == a.SeriesId && e.Timestamp == a.Timestamp && e.Version == a.Version,
                $"{context}: row {i}: expected key ({e.SeriesId}, {e.Timestamp}, {e.Version}), got ({a.SeriesId}, {a.Timestamp}, {a.Version})");
            for (int c = 0; c < e.Values.Length; c++)
            {
                Assert.True(e.Values[c] == a.Values[c], $"{context}: row {i} column {c}: expected {e.Values[c]}, got {a.Values[c]}");
            }
        }
    }
}
