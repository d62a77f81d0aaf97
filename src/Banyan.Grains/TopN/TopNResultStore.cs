using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;
using ApiSort = Banyan.Api.Model.V1.Sort;

namespace Banyan.Grains.TopN;

/// <summary>
/// Where TopN results live: rows of an internal measure <c>_top_n_result</c> (BanyanDB's name) in the shard that holds
/// the source data, written through the engine's write path (WAL, memory part, flush, merge, the segment's TTL), so
/// they are as durable as any acknowledged measure row and expire with their segment. One row per (aggregation,
/// direction, group-by value, window): its series is the hash of <c>_top_n_result</c> with the aggregation's group and
/// name, the direction (the <c>model.v1.Sort</c> number) and the group-by value, as BanyanDB keys its result series; its
/// timestamp is the window start; its one field holds the ranked list (<see cref="TopNResultCodec"/>); its version
/// grows with every flush, so the engine's "highest version wins" keeps the latest list of a window.
/// </summary>
/// <remarks>The measure is not in the schema catalog: listings do not show it and clients cannot write it.</remarks>
internal static class TopNResultStore
{
    /// <summary>The internal measure's name.</summary>
    public const string Subject = "_top_n_result";

    /// <summary>The tag family of the result rows.</summary>
    public const string Family = "_topN";

    private const string GroupTag = "group";
    private const string NameTag = "name";
    private const string DirectionTag = "direction";
    private const string KeyTag = "group_key";
    private const string ValueField = "value";

    private static readonly string[] s_entity = [GroupTag, NameTag, DirectionTag, KeyTag];

    private static readonly ColumnProjection s_projection = ColumnProjection.Of([ValueField], [(Family, (string?)null)]);

    /// <summary>The series id of one result list.</summary>
    public static ulong SeriesIdOf(string group, string name, bool descending, string groupKey) =>
        SeriesKey.ComputeSeriesId(Subject, [TagValue.FromString(group), TagValue.FromString(name), TagValue.FromInt64(DirectionNumber(descending)), TagValue.FromString(groupKey)]);

    /// <summary>
    /// In a shard with a series index (its subjects configured, see <c>ShardGrainState.SubjectsIndexed</c>), configures
    /// the result measure before its first write, so the index records each list's series; nothing otherwise.
    /// </summary>
    public static async Task ConfigureAsync(Shard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Indexer is { } indexer && !indexer.IsConfigured(Subject))
        {
            await shard.ConfigureSubjectAsync(new ShardIndexConfig(DataKind.Measure, Subject, s_entity, []));
        }
    }

    /// <summary>The rows persisting <paramref name="lists"/>, each with the version <paramref name="nextVersion"/> gives.</summary>
    public static WriteBatch Rows(IEnumerable<(TopNDefinition Definition, bool Descending, TopNEncodedList List)> lists, Func<long> nextVersion)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(nextVersion);
        // Named: the engine keeps a subject's columns apart, so the binary "value" of the results never meets a user
        // measure's "value" of another type in one memory part.
        WriteBatch batch = new(DataKind.Measure, Subject);
        batch.AddColumn(Family, GroupTag, ColumnValueType.String);
        batch.AddColumn(Family, NameTag, ColumnValueType.String);
        batch.AddColumn(Family, DirectionTag, ColumnValueType.Int64);
        batch.AddColumn(Family, KeyTag, ColumnValueType.String);
        batch.AddColumn(null, ValueField, ColumnValueType.Binary);
        foreach ((TopNDefinition definition, bool descending, TopNEncodedList list) in lists)
        {
            batch.AddRow(
                SeriesIdOf(definition.Group, definition.Name, descending, list.GroupKey),
                list.WindowStart,
                nextVersion(),
                [
                    ColumnValue.FromString(definition.Group),
                    ColumnValue.FromString(definition.Name),
                    ColumnValue.FromInt64(DirectionNumber(descending)),
                    ColumnValue.FromString(list.GroupKey),
                    ColumnValue.FromBinary(list.Encoded),
                ]);
        }

        return batch;
    }

    /// <summary>
    /// The persisted lists of <paramref name="shard"/> whose window starts in [<paramref name="min"/>,
    /// <paramref name="max"/>] and that <paramref name="wanted"/> (group, name, descending, group-by value) accepts:
    /// the latest version of each, not decoded (<see cref="TopNStoredList"/>), in (series, window) order. With
    /// <paramref name="cache"/>, in a shard whose series index knows every wanted series, only the rows' keys are read
    /// for the lists the cache holds, and the lists read are added to it. Reads on the calling thread (run it off the
    /// grain's turn).
    /// </summary>
    public static List<TopNStoredList> Read(Shard shard, long min, long max, Func<string, string, bool, string, bool> wanted, TopNListCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(wanted);
        List<TopNStoredList> lists = [];
        Dictionary<ulong, bool> isResult = [];
        ShardScan scan;
        if (shard.Indexer is { } indexer)
        {
            if (!indexer.IsConfigured(Subject))
            {
                return lists;
            }

            // The series index names the wanted lists' series: only their blocks are read.
            SeriesSelection selection = shard.FindSeries(Subject, [], values => values.Count == s_entity.Length && values[0].Kind == TagValueKind.Str && values[1].Kind == TagValueKind.Str
                && values[2].Kind == TagValueKind.Number && values[3].Kind == TagValueKind.Str
                && wanted(values[0].Text!, values[1].Text!, values[2].Number == DirectionNumber(true), values[3].Text!), min, max);
            if (cache is not null && selection.Unindexed.Count == 0)
            {
                return ReadThroughCache(shard, min, max, selection.Indexed, cache);
            }

            scan = shard.Scan(Subject, new SeriesTimeFilter(selection.Ids(), min, max), s_projection);
        }
        else
        {
            // A shard without a series index: only the result columns are decoded, blocks of the group's measures in the
            // same range cost their keys only.
            scan = shard.Scan(new SeriesTimeFilter(null, min, max), s_projection);
        }

        using ShardScan owned = scan;
        while (scan.MoveNext())
        {
            Block block = scan.CurrentBlock;
            int row = scan.CurrentRow;
            ColumnBuffer? group = block.FindColumn(Family, GroupTag);
            ColumnBuffer? name = block.FindColumn(Family, NameTag);
            ColumnBuffer? direction = block.FindColumn(Family, DirectionTag);
            ColumnBuffer? key = block.FindColumn(Family, KeyTag);
            ColumnBuffer? value = block.FindColumn(null, ValueField);
            if (group is null || name is null || direction is null || key is null || value is null
                || group.Type != ColumnValueType.String || name.Type != ColumnValueType.String || direction.Type != ColumnValueType.Int64
                || key.Type != ColumnValueType.String || value.Type != ColumnValueType.Binary
                || group.IsNull(row) || name.IsNull(row) || direction.IsNull(row) || key.IsNull(row) || value.IsNull(row))
            {
                continue;
            }

            string g = group.GetString(row)!;
            string n = name.GetString(row)!;
            bool descending = direction.GetInt64(row) == DirectionNumber(true);
            string k = key.GetString(row)!;
            // A row is a result row when its series id is the hash of its own result tags (a user measure's row never is).
            if (!isResult.TryGetValue(scan.SeriesId, out bool known))
            {
                known = SeriesIdOf(g, n, descending, k) == scan.SeriesId;
                isResult[scan.SeriesId] = known;
            }

            if (!known || !wanted(g, n, descending, k))
            {
                continue;
            }

            lists.Add(new TopNStoredList(g, n, descending, scan.Timestamp, k, value.GetBytes(row).ToArray(), WhereOf(shard, g, n, scan.Timestamp), scan.Version));
        }

        return lists;
    }

    // Read with the cache: a keys-only scan lists the rows (series, window, version); the cache answers the rows it holds,
    // and one scan of the others' series and windows reads the rest, which joins the cache. A window flushed again
    // between the two scans is read at its newer version (the query wants the latest). The answer is in (series, window)
    // order, as one scan gives it: the merge's ties go to the entity seen first.
    private static List<TopNStoredList> ReadThroughCache(Shard shard, long min, long max, IReadOnlyList<SeriesMatch> indexed, TopNListCache cache)
    {
        // Each wanted series' result tags, from the index (every row of a series carries its entity); a series whose id is
        // not the hash of its own result tags is not a result series.
        Dictionary<ulong, (string Group, string Name, bool Descending, string Key)> tagsOf = [];
        foreach (SeriesMatch match in indexed)
        {
            IReadOnlyList<TagValue> values = match.EntityValues;
            (string g, string n, bool descending, string k) = (values[0].Text!, values[1].Text!, values[2].Number == DirectionNumber(true), values[3].Text!);
            if (SeriesIdOf(g, n, descending, k) == match.SeriesId)
            {
                tagsOf[match.SeriesId] = (g, n, descending, k);
            }
        }

        List<(ulong Series, TopNStoredList List)> found = [];
        HashSet<(ulong Series, long Window)> missing = [];
        ulong[] series = [.. tagsOf.Keys.Order()];
        using (ShardScan keys = shard.Scan(Subject, new SeriesTimeFilter(series, min, max), ColumnProjection.KeysOnly))
        {
            while (keys.MoveNext())
            {
                if (cache.TryGet(shard.FolderPath, keys.SeriesId, keys.Timestamp, keys.Version, out TopNStoredList known))
                {
                    found.Add((keys.SeriesId, known));
                }
                else
                {
                    missing.Add((keys.SeriesId, keys.Timestamp));
                }
            }
        }

        if (missing.Count > 0)
        {
            ulong[] missingSeries = [.. missing.Select(m => m.Series).Distinct().Order()];
            using ShardScan scan = shard.Scan(Subject, new SeriesTimeFilter(missingSeries, missing.Min(m => m.Window), missing.Max(m => m.Window)), s_projection);
            while (scan.MoveNext())
            {
                if (!missing.Contains((scan.SeriesId, scan.Timestamp)) || ValueOf(scan) is not { } value)
                {
                    continue;
                }

                (string g, string n, bool descending, string k) = tagsOf[scan.SeriesId];
                TopNStoredList list = new(g, n, descending, scan.Timestamp, k, value.GetBytes(scan.CurrentRow).ToArray(), WhereOf(shard, g, n, scan.Timestamp), scan.Version);
                cache.Add(shard.FolderPath, scan.SeriesId, list);
                found.Add((scan.SeriesId, list));
            }
        }

        found.Sort((a, b) => a.Series != b.Series ? a.Series.CompareTo(b.Series) : a.List.WindowStart.CompareTo(b.List.WindowStart));
        return [.. found.Select(f => f.List)];
    }

    // The current row's list column, null when the row has none (a damaged or foreign row, skipped as the full read skips it).
    private static ColumnBuffer? ValueOf(ShardScan scan)
    {
        ColumnBuffer? value = scan.CurrentBlock.FindColumn(null, ValueField);
        return value is null || value.Type != ColumnValueType.Binary || value.IsNull(scan.CurrentRow) ? null : value;
    }

    private static string WhereOf(Shard shard, string group, string name, long window) => $"{shard.FolderPath} ({Subject} {group}/{name} window {window})";

    /// <summary>
    /// The latest window start of any list stored in <paramref name="shard"/> (every aggregation, both directions), or
    /// <see cref="long.MinValue"/> when none is; a window starting after it has nothing stored. A shard without a series
    /// index cannot tell its result rows from its measures' cheaply and answers <see cref="long.MaxValue"/> (any window
    /// may have lists). Reads the rows' keys only, on the calling thread (run it off the grain's turn).
    /// </summary>
    public static long LatestWindowStart(Shard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Indexer is not { } indexer)
        {
            return long.MaxValue;
        }

        if (!indexer.IsConfigured(Subject))
        {
            return long.MinValue;
        }

        ulong[] series = shard.FindSeries(Subject, [], null, long.MinValue, long.MaxValue).Ids();
        long latest = long.MinValue;
        using ShardScan scan = shard.Scan(Subject, new SeriesTimeFilter(series, long.MinValue, long.MaxValue), ColumnProjection.KeysOnly);
        while (scan.MoveNext())
        {
            latest = Math.Max(latest, scan.Timestamp);
        }

        return latest;
    }

    private static long DirectionNumber(bool descending) => (long)(descending ? ApiSort.Desc : ApiSort.Asc);
}
