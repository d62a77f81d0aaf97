using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes;
using Banyan.Grains.Writes.Wire;
using Banyan.Storage.Columns;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes.Wire;

/// <summary>
/// A measure batch planned from its data points' wire bytes (<see cref="WireDataPoints"/>, the write stream's form)
/// gives the same statuses, reasons and rows as the same batch planned from parsed protobuf objects: for generated data
/// points of every shape, valid or not, and for byte-level oddities (messages merged by concatenation, unknown fields).
/// </summary>
public sealed class WireDataPointPlanTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "cpm" };

    [Fact]
    public void The_common_data_point_decodes_from_its_bytes_and_unusual_ones_go_the_general_way()
    {
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        WireRow row = new(layout.Columns.Length);
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now, "e1", 7, 2.5).DataPoint;
        point.Version = 12;
        Assert.True(DataPointWireDecoder.TryDecode(point.ToByteArray(), layout, row));
        Assert.Equal(12, row.Version);
        Assert.Equal(s_now.ToUnixTimeMilliseconds() * 1_000_000, row.Timestamp);
        Assert.Equal([WireValueKind.Utf8, WireValueKind.Utf8, WireValueKind.Int64, WireValueKind.Int64, WireValueKind.Float64], row.Kinds);

        MeasureV1.DataPointValue array = point.Clone();
        array.TagFamilies[0].Tags[2] = new TagValue { IntArray = new IntArray { Value = { 1, 2 } } };
        Assert.False(DataPointWireDecoder.TryDecode(array.ToByteArray(), layout, row));

        MeasureV1.DataPointValue noEntity = point.Clone();
        noEntity.TagFamilies[0].Tags[1] = WriteSchemas.Null();
        Assert.False(DataPointWireDecoder.TryDecode(noEntity.ToByteArray(), layout, row));

        MeasureV1.DataPointValue notWholeMilliseconds = point.Clone();
        notWholeMilliseconds.Timestamp.Nanos = 5;
        Assert.False(DataPointWireDecoder.TryDecode(notWholeMilliseconds.ToByteArray(), layout, row));
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(3, false, true)]
    [InlineData(4, true, true)]
    public void Wire_bytes_and_parsed_objects_plan_alike(int seed, bool withSpec, bool withShardingKey)
    {
        Random random = new(seed);
        Measure measure = WriteSchemas.Measure("g");
        if (withShardingKey)
        {
            measure.ShardingKey = new ShardingKey { TagNames = { "id" } };
        }

        MeasureV1.DataPointSpec? spec = withSpec
            ? new MeasureV1.DataPointSpec
            {
                TagFamilySpec = { new MeasureV1.TagFamilySpec { Name = "default", TagNames = { "entity_id", "code", "id" } } },
                FieldNames = { "value", "total" },
            }
            : null;
        SubjectLayout objectLayout = SubjectLayout.ForMeasure("g", measure, spec);
        SubjectLayout wireLayout = SubjectLayout.ForMeasure("g", measure, spec);
        int decodedFast = 0;
        for (int round = 0; round < 40; round++)
        {
            int count = random.Next(1, 60);
            byte[][] points = [.. Enumerable.Range(0, count).Select(_ => PointBytes(random, withSpec))];
            ulong[] ids = [.. points.Select(_ => random.Next(3) == 0 ? 0UL : (ulong)random.Next(1, 1000))];
            MeasureWriteBatch parsed = new(s_metadata, spec, [.. points.Select((p, i) => new MeasureV1.WriteRequest { MessageId = ids[i], DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(p) })]);
            MeasureWriteBatch wire = new(s_metadata, spec, [], Split(random, points, ids));
            WritePlan expected = MeasureWritePlanner.Plan(parsed, null, objectLayout, Settings(), s_now, 77);
            WritePlan actual = MeasureWritePlanner.Plan(wire, null, wireLayout, Settings(), s_now, 77);
            AssertSamePlan(expected, actual);
            WireRow row = new(wireLayout.Columns.Length);
            decodedFast += points.Count(p => DataPointWireDecoder.TryDecode(p, wireLayout, row));
        }

        // The comparison means something only if both paths ran: most generated points are the common shape.
        Assert.InRange(decodedFast, 200, int.MaxValue);
    }

    [Theory]
    [InlineData(1_000, 60, 30, 100)]
    [InlineData(8, 140, 120, 1_000)] // past the cache's 65,536 series
    public void Entity_tags_kept_once_per_series_stay_right_in_every_batch_across_arenas(int entityLength, int rounds, int repeatAfter, int perRound)
    {
        // Sub-batches point at the planner's one copy of each series' entity tags (its arena, grown by doubling into new
        // arrays) instead of copying them into every row. 3,000 series of 1 KB entities make it grow ten times; 120,000
        // short ones fill the cache, which starts over with a new arena, and write far enough past that to overwrite any
        // bytes a batch still points at if it had reused the old one. Every batch planned on the way, kept to the end as
        // a shard's buffer keeps them, must still hold its own rows' values, and a series seen again (a hit) the same
        // value as when it was new.
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        List<(WritePlan Plan, string[] Entities)> plans = [];
        for (int round = 0; round < rounds; round++)
        {
            string[] entities = [.. Enumerable.Range(0, perRound).Select(i => Entity(((round % repeatAfter) * perRound) + i))];
            byte[][] points = [.. entities.Select((e, i) => WriteSchemas.Point(null, 1, s_now.AddSeconds(-round), e, i).DataPoint.ToByteArray())];
            WritePlan plan = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, new ulong[points.Length])), null, layout, Settings(), s_now, 1);
            plans.Add((plan, entities));
        }

        int entityColumn = layout.EntityColumns.Single();
        foreach ((WritePlan plan, string[] entities) in plans)
        {
            Assert.All(plan.ToOutcome().Statuses, status => Assert.Equal(WriteStatus.Succeed, status));
            int rows = 0;
            foreach (SubBatch batch in plan.SubBatches!.Batches)
            {
                for (int r = 0; r < batch.Batch.Count; r++)
                {
                    Assert.Equal(entities[batch.Elements[r]], batch.Batch.Columns[entityColumn].GetString(r));
                    rows++;
                }
            }

            Assert.Equal(entities.Length, rows);
        }

        string Entity(int series) => series.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string((char)('a' + (series % 26)), entityLength);
    }

    // The series cache guesses each point's series from the one that followed the previous series last time (writers
    // send their series in the same order scrape after scrape) and confirms the guess by comparing keys. Over rounds in
    // the same order, reversed, with series left out, new ones put in and shuffled, every row gets the series id the
    // parsed objects' path computes, and each series is computed once.
    [Fact]
    public void Series_guessed_from_their_order_get_the_ids_they_get_in_any_order()
    {
        Random random = new(21);
        Measure measure = WriteSchemas.Measure("g");
        SubjectLayout wireLayout = SubjectLayout.ForMeasure("g", measure, null);
        SubjectLayout objectLayout = SubjectLayout.ForMeasure("g", measure, null);
        List<string> order = [.. Enumerable.Range(0, 200).Select(i => "series-" + i)];
        HashSet<string> seen = [];
        for (int round = 0; round < 12; round++)
        {
            switch (round % 6)
            {
                case 3:
                    order.Reverse();
                    break;
                case 4:
                    order.RemoveAt(random.Next(order.Count));
                    order.Insert(random.Next(order.Count), "new-" + round);
                    break;
                case 5:
                    order = [.. order.OrderBy(_ => random.Next())];
                    break;
            }

            byte[][] points = [.. order.Select((e, i) => WriteSchemas.Point(null, (ulong)i + 1, s_now.AddSeconds(-round), e, i).DataPoint.ToByteArray())];
            ulong[] ids = [.. Enumerable.Range(1, points.Length).Select(i => (ulong)i)];
            WritePlan expected = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [.. points.Select((p, i) => new MeasureV1.WriteRequest { MessageId = ids[i], DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(p) })]), null, objectLayout, Settings(), s_now, 1);
            WritePlan actual = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Split(random, points, ids)), null, wireLayout, Settings(), s_now, 1);
            AssertSamePlan(expected, actual);
            seen.UnionWith(order);
        }

        Assert.Equal(seen.Count, wireLayout.SeriesIds.Misses);
    }

    [Fact]
    public void A_schema_verdict_refuses_wire_elements_as_it_refuses_parsed_ones()
    {
        Random random = new(9);
        byte[][] points = [.. Enumerable.Range(0, 30).Select(_ => PointBytes(random, false))];
        ulong[] ids = new ulong[points.Length];
        SchemaVerdict verdict = new(WriteStatus.NotFound, "metadata.name: gone");
        WritePlan expected = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [.. points.Select(p => new MeasureV1.WriteRequest { DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(p) })]), verdict, null, null, s_now, 1);
        WritePlan actual = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, ids)), verdict, null, null, s_now, 1);
        AssertSamePlan(expected, actual);
    }

    [Fact]
    public void Bytes_that_do_not_decode_refuse_their_element_only()
    {
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        byte[] good = WriteSchemas.Point(null, 1, s_now, "e1", 7).DataPoint.ToByteArray();
        byte[] truncated = good[..^3];
        WriteOutcome outcome = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat([good, truncated], [1, 2])), null, layout, Settings(), s_now, 1).ToOutcome();
        Assert.Equal([WriteStatus.Succeed, WriteStatus.InternalError], outcome.Statuses.ToArray());
        Assert.StartsWith("data_point: does not decode: ", Assert.Single(outcome.Refusals).Reason);
    }

    // The plan remembers the last segment met (its start, end and expiry): elements that go back and forth between
    // segments, live and expired, and that sit on a segment's first and last millisecond, land where the rule puts them,
    // from parsed objects and from bytes alike.
    [Fact]
    public void Elements_moving_between_segments_land_in_theirs_and_expired_ones_are_counted()
    {
        DateTimeOffset day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero); // s_now's segment (1 day) starts here
        DateTimeOffset[] times =
        [
            s_now, day.AddDays(-30), day.AddDays(-1).AddHours(3), s_now.AddSeconds(1), day.AddDays(-30), day,
            day.AddDays(1).AddMilliseconds(-1), day.AddDays(1), day.AddDays(-1).AddHours(4), s_now.AddSeconds(2),
        ];
        byte[][] points = [.. times.Select((t, i) => WriteSchemas.Point(null, (ulong)i + 1, t, "e" + (i % 3), i).DataPoint.ToByteArray())];
        ulong[] ids = [.. Enumerable.Range(1, times.Length).Select(i => (ulong)i)];
        Measure measure = WriteSchemas.Measure("g");
        WritePlan expected = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [.. points.Select((p, i) => new MeasureV1.WriteRequest { MessageId = ids[i], DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(p) })]), null, SubjectLayout.ForMeasure("g", measure, null), Settings(shards: 1), s_now, 1);
        WritePlan actual = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, ids)), null, SubjectLayout.ForMeasure("g", measure, null), Settings(shards: 1), s_now, 1);
        AssertSamePlan(expected, actual);

        Assert.Equal(2, actual.ToOutcome().Expired);
        long Nanos(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1_000_000;
        Dictionary<long, int[]> elementsBySegment = actual.SubBatches!.Batches.ToDictionary(b => b.SegmentStart, b => b.Elements.ToArray());
        Assert.Equal([0, 3, 5, 6, 9], elementsBySegment[Nanos(day)]);
        Assert.Equal([2, 8], elementsBySegment[Nanos(day.AddDays(-1))]);
        Assert.Equal([7], elementsBySegment[Nanos(day.AddDays(1))]);
        Assert.Equal(3, elementsBySegment.Count);
    }

    // The plan keeps the sub-batches of the last segment met by shard: with two shards and points that go back and forth
    // between two segments in runs of three, every row lands in the sub-batch of its own segment and of the shard its
    // entity routes to (computed here from the engine's routing, not by the plan's code). Without the kept sub-batches
    // forgotten when the segment changes, a run's second point of a shard lands in the other segment.
    [Fact]
    public void Rows_land_in_their_segment_and_shard_when_both_change_from_point_to_point()
    {
        DateTimeOffset day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        string[] entities = [.. Enumerable.Range(0, 16).Select(i => "e" + i)];
        (DateTimeOffset Time, string Entity)[] rows = [.. Enumerable.Range(0, 64).Select(i => (day.AddDays(-(i / 3 % 2)).AddMinutes(i), entities[(i * 5) % entities.Length]))];
        byte[][] points = [.. rows.Select((r, i) => WriteSchemas.Point(null, (ulong)i + 1, r.Time, r.Entity, i).DataPoint.ToByteArray())];
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        WritePlan plan = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, [.. Enumerable.Range(1, points.Length).Select(i => (ulong)i)])), null, layout, Settings(shards: 2), s_now, 1);

        int placed = 0;
        foreach (SubBatch batch in plan.SubBatches!.Batches)
        {
            foreach (int element in batch.Elements)
            {
                long segment = rows[element].Time.UtcDateTime.Date.Ticks - DateTime.UnixEpoch.Ticks;
                ulong routing = Banyan.Storage.Series.ShardRouting.ComputeRoutingHash(layout.Subject, [Banyan.Storage.Values.TagValue.FromString(rows[element].Entity)]);
                Assert.Equal((segment * 100, (int)(routing % 2)), (batch.SegmentStart, batch.Shard));
                placed++;
            }
        }

        Assert.Equal(rows.Length, placed);
        Assert.Equal(4, plan.SubBatches.Count); // two segments, two shards: the entities do reach both shards
    }

    // The decoder leaves the UTF-8 check of entity strings to the series cache, which checks a series it has not met:
    // an entity that is not UTF-8 must still be refused as Google.Protobuf refuses it, before its segment's expiry is
    // judged (the general path parses first), and a string outside the entity is still checked by the decoder.
    [Theory]
    [InlineData(0, false)]
    [InlineData(30, false)] // past the 7-day TTL: the valid point is dropped as expired, the invalid one still refused
    [InlineData(0, true)]
    public void Strings_that_are_not_utf8_are_refused_alone_whether_entity_or_not(int daysLater, bool inIdTag)
    {
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        byte[] valid = WriteSchemas.Point(null, 1, s_now, "entity-Z9", 7).DataPoint.ToByteArray();
        byte[] invalid = [.. valid];
        ReadOnlySpan<byte> entity = "entity-Z9"u8;
        int inId = invalid.AsSpan().IndexOf(entity); // "id-entity-Z9" comes first, the entity tag after it
        int at = inIdTag ? inId : inId + entity.Length + invalid.AsSpan(inId + entity.Length).IndexOf(entity);
        invalid[at + entity.IndexOf((byte)'Z')] = 0xFF;
        Assert.Throws<InvalidProtocolBufferException>(() => MeasureV1.DataPointValue.Parser.ParseFrom(invalid));

        WriteOutcome outcome = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat([invalid, valid, invalid], [1, 2, 3])), null, layout, Settings(), s_now.AddDays(daysLater), 1).ToOutcome();
        Assert.Equal([WriteStatus.InternalError, WriteStatus.Succeed, WriteStatus.InternalError], outcome.Statuses.ToArray());
        Assert.All(outcome.Refusals, r => Assert.StartsWith("data_point: does not decode: ", r.Reason));
        Assert.Equal(daysLater > 7 ? 1 : 0, outcome.Expired);
        Assert.Equal(1, layout.SeriesIds.Misses); // the valid series once; the invalid entity never entered the cache
    }

    [Fact]
    public void A_known_series_is_planned_from_its_bytes_without_being_computed_again()
    {
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        byte[][] points = [.. Enumerable.Range(0, 3).Select(i => WriteSchemas.Point(null, (ulong)i + 1, s_now.AddSeconds(i), "entity-ä", i).DataPoint.ToByteArray())];
        WriteOutcome first = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, [1, 2, 3])), null, layout, Settings(), s_now, 1).ToOutcome();
        WritePlan second = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat(points, [4, 5, 6])), null, layout, Settings(), s_now, 1);
        Assert.All(first.Statuses.ToArray(), s => Assert.Equal(WriteStatus.Succeed, s));
        Assert.All(second.ToOutcome().Statuses.ToArray(), s => Assert.Equal(WriteStatus.Succeed, s));
        Assert.Equal(1, layout.SeriesIds.Misses);
        SubBatch batch = Assert.Single(second.SubBatches!.Batches);
        Assert.Equal("entity-ä", batch.Batch.Columns[1].GetValue(2).Reference);
    }

    // The write stream reads only a point's own fields (DataPointWireVersion): the grain's decoder is the only walk
    // through its inside. Over corrupted, cut and spliced copies of the common point, each point either lands as
    // Google.Protobuf reads it (the same status, reason and row as the parsed object) or, when the parser refuses it,
    // is refused alone with "does not decode"; the fast decoder must never take bytes the parser would not.
    [Fact]
    public void Corrupted_points_land_as_the_parser_reads_them_or_are_refused_alone()
    {
        Random random = new(11);
        SubjectLayout objectLayout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        SubjectLayout wireLayout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        MeasureV1.DataPointValue template = WriteSchemas.Point(null, 1, s_now, "entity-ä", 7).DataPoint;
        template.Version = 300;
        byte[] original = template.ToByteArray();
        byte[] good = WriteSchemas.Point(null, 2, s_now, "other", 8).DataPoint.ToByteArray();
        WireRow row = new(wireLayout.Columns.Length);
        int landedFast = 0;
        int refused = 0;
        int parsedOther = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = WireCorruption.Corrupt(random, original);
            WritePlan actual = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], Concat([bytes, good], [5, 6])), null, wireLayout, Settings(), s_now, 77);
            MeasureV1.DataPointValue parsed;
            try
            {
                parsed = MeasureV1.DataPointValue.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                // The decoder takes such bytes only when their one fault is an entity string that is not UTF-8, which
                // the series cache checks (and the plan below must then refuse).
                Assert.True(!DataPointWireDecoder.TryDecode(bytes, wireLayout, row) || HasInvalidSeriesKeyString(wireLayout, row, bytes), "the decoder took bytes the parser refuses");
                WriteOutcome outcome = actual.ToOutcome();
                Assert.Equal([WriteStatus.InternalError, WriteStatus.Succeed], outcome.Statuses.ToArray());
                Assert.StartsWith("data_point: does not decode: ", Assert.Single(outcome.Refusals).Reason);
                refused++;
                continue;
            }

            WritePlan expected = MeasureWritePlanner.Plan(
                new MeasureWriteBatch(s_metadata, null, [new MeasureV1.WriteRequest { MessageId = 5, DataPoint = parsed }, new MeasureV1.WriteRequest { MessageId = 6, DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(good) }]),
                null,
                objectLayout,
                Settings(),
                s_now,
                77);
            AssertSamePlan(expected, actual);
            if (DataPointWireDecoder.TryDecode(bytes, wireLayout, row))
            {
                landedFast++;
            }
            else
            {
                parsedOther++;
            }
        }

        // Each way taken often enough to mean something.
        Assert.InRange(refused, 1_000, int.MaxValue);
        Assert.InRange(landedFast, 500, int.MaxValue);
        Assert.InRange(parsedOther, 500, int.MaxValue);
    }
    // A data point of a random shape: mostly the common one (three tags, two fields, a whole-millisecond timestamp),
    // else missing, null, mistyped or extra values, arrays, bad timestamps; sometimes merged with a second point by
    // concatenation or followed by an unknown field, as a client's encoder may legally send.
    private static byte[] PointBytes(Random random, bool specOrder)
    {
        byte[] bytes = OnePoint(random, specOrder).ToByteArray();
        switch (random.Next(12))
        {
            case 0:
                return [.. bytes, .. OnePoint(random, specOrder).ToByteArray()];
            case 1:
                // Unknown field 9 (varint 5).
                return [.. bytes, 0x48, 0x05];
            default:
                return bytes;
        }
    }

    private static MeasureV1.DataPointValue OnePoint(Random random, bool specOrder)
    {
        bool common = random.Next(3) != 0;
        MeasureV1.DataPointValue point = new()
        {
            Timestamp = (common ? 0 : random.Next(8)) switch
            {
                0 or 1 or 2 or 3 or 4 => Timestamp.FromDateTimeOffset(s_now.AddSeconds(-random.Next(0, 100_000))),
                5 => null,
                6 => new Timestamp { Seconds = s_now.ToUnixTimeSeconds(), Nanos = 1_500 },
                _ => new Timestamp { Seconds = 9_300_000_000, Nanos = 0 },
            },
            Version = random.Next(3) == 0 ? 0 : random.Next(1, 1_000_000),
        };

        // Schema order: id (string), entity_id (string), code (int); spec order: entity_id, code, id.
        TagValue id = Tag(random, common, "id-" + random.Next(5), str: true);
        TagValue entity = Tag(random, common, "e" + random.Next(20) + (random.Next(4) == 0 ? "é✓" : string.Empty), str: true);
        TagValue code = Tag(random, common, null, str: false);
        TagValue[] tags = specOrder ? [entity, code, id] : [id, entity, code];
        int tagCount = common ? 3 : random.Next(0, 5);
        int familyCount = common ? 1 : random.Next(0, 3);
        for (int f = 0; f < familyCount; f++)
        {
            TagFamilyForWrite family = new();
            for (int t = 0; t < tagCount; t++)
            {
                family.Tags.Add(t < tags.Length ? tags[t] : WriteSchemas.Str("extra"));
            }

            point.TagFamilies.Add(family);
        }

        // Schema order: total (int), value (float); spec order: value, total.
        FieldValue total = Field(random, common, isFloat: false);
        FieldValue value = Field(random, common, isFloat: true);
        FieldValue[] fields = specOrder ? [value, total] : [total, value];
        int fieldCount = common ? 2 : random.Next(0, 4);
        for (int i = 0; i < fieldCount; i++)
        {
            point.Fields.Add(i < fields.Length ? fields[i] : new FieldValue { Int = new Int { Value = 1 } });
        }

        return point;
    }

    private static TagValue Tag(Random random, bool common, string? text, bool str)
    {
        int kind = common ? (str ? 0 : 1) : random.Next(9);
        return kind switch
        {
            0 => WriteSchemas.Str(text ?? "s" + random.Next(10)),
            1 => WriteSchemas.Number(random.Next(-5, 500)),
            2 => WriteSchemas.Null(),
            3 => new TagValue(),
            4 => new TagValue { StrArray = new StrArray { Value = { "a", "b" } } },
            5 => new TagValue { IntArray = new IntArray { Value = { 1, 2 } } },
            6 => new TagValue { BinaryData = ByteString.CopyFrom(1, 2, 3) },
            7 => new TagValue { Str = new Str() },
            _ => new TagValue { Timestamp = Timestamp.FromDateTimeOffset(s_now) },
        };
    }

    private static FieldValue Field(Random random, bool common, bool isFloat)
    {
        int kind = common ? (isFloat ? 0 : 1) : random.Next(7);
        return kind switch
        {
            0 => new FieldValue { Float = new Float { Value = random.NextDouble() * 100 } },
            1 => new FieldValue { Int = new Int { Value = random.Next() } },
            2 => new FieldValue { Null = NullValue.NullValue },
            3 => new FieldValue(),
            4 => new FieldValue { Str = new Str { Value = "x" } },
            5 => new FieldValue { BinaryData = ByteString.CopyFrom(9) },
            _ => new FieldValue { Float = new Float() },
        };
    }

    // The points in up to three runs, cut at random places (some may be empty), as batches of several write streams
    // joined into one call arrive (SubjectWriteCoalescer): a plan must number the elements across runs.
    private static WireDataPoints Split(Random random, byte[][] points, ulong[] ids)
    {
        int cuts = random.Next(0, 3);
        int[] at = [0, .. Enumerable.Range(0, cuts).Select(_ => random.Next(0, points.Length + 1)).Order(), points.Length];
        var runs = new List<WireDataPoints>();
        for (int r = 0; r + 1 < at.Length; r++)
        {
            runs.Add(Concat(points[at[r]..at[r + 1]], ids[at[r]..at[r + 1]]));
        }

        return WireDataPoints.Join(runs);
    }

    internal static WireDataPoints Concat(byte[][] points, ulong[] ids)
    {
        // Slices of one array, as the write stream hands them over (its read chunks hold many data points).
        byte[] joined = [.. points.SelectMany(p => p)];
        ReadOnlyMemory<byte>[] slices = new ReadOnlyMemory<byte>[points.Length];
        int at = 0;
        for (int i = 0; i < points.Length; i++)
        {
            slices[i] = joined.AsMemory(at, points[i].Length);
            at += points[i].Length;
        }

        return new WireDataPoints(slices, ids);
    }

    private static bool HasInvalidSeriesKeyString(SubjectLayout layout, WireRow row, byte[] point)
        => Enumerable.Range(0, row.Kinds.Length).Any(c => layout.SeriesKeyColumns[c] && row.Kinds[c] == WireValueKind.Utf8
            && !System.Text.Unicode.Utf8.IsValid(point.AsSpan(row.Starts[c], row.Lengths[c])));

    internal static void AssertSamePlan(WritePlan expected, WritePlan actual)
    {
        WriteOutcome want = expected.ToOutcome();
        WriteOutcome got = actual.ToOutcome();
        Assert.Equal(want.Statuses.ToArray(), got.Statuses.ToArray());
        Assert.Equal(want.Refusals.ToArray(), got.Refusals.ToArray());
        Assert.Equal(want.Expired, got.Expired);
        Assert.Equal(expected.SubBatches is null, actual.SubBatches is null);
        if (expected.SubBatches is null)
        {
            return;
        }

        SubBatch[] wantBatches = [.. expected.SubBatches.Batches];
        SubBatch[] gotBatches = [.. actual.SubBatches!.Batches];
        Assert.Equal(wantBatches.Length, gotBatches.Length);
        for (int b = 0; b < wantBatches.Length; b++)
        {
            Assert.Equal((wantBatches[b].SegmentStart, wantBatches[b].Shard), (gotBatches[b].SegmentStart, gotBatches[b].Shard));
            Assert.Equal(wantBatches[b].Elements, gotBatches[b].Elements);
            Banyan.Storage.Rows.WriteBatch w = wantBatches[b].Batch;
            Banyan.Storage.Rows.WriteBatch g = gotBatches[b].Batch;
            Assert.Equal(w.SeriesIds.ToArray(), g.SeriesIds.ToArray());
            Assert.Equal(w.Timestamps.ToArray(), g.Timestamps.ToArray());
            Assert.Equal(w.Versions.ToArray(), g.Versions.ToArray());
            Assert.Equal(w.Columns.Count, g.Columns.Count);
            for (int c = 0; c < w.Columns.Count; c++)
            {
                ColumnBuffer wc = w.Columns[c];
                ColumnBuffer gc = g.Columns[c];
                Assert.Equal(wc.Count, gc.Count);
                for (int r = 0; r < wc.Count; r++)
                {
                    Assert.Equal(wc.GetValue(r), gc.GetValue(r));
                }
            }
        }
    }

    internal static GroupSettings Settings(int shards = 2) =>
        new(shards, new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 1), new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 7), 1);
}
