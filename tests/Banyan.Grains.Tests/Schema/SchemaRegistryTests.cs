using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Tests.Schema;

/// <summary>BanyanDB's registry semantics on the plain registry: revisions, timestamps, NOT_FOUND, ALREADY_EXISTS, Exist, List, Delete.</summary>
public sealed class SchemaRegistryTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly SchemaSamples _s = new("reg");

    [Fact]
    public void Each_change_takes_the_next_catalog_revision_and_stamps_it_into_the_schema()
    {
        SchemaCatalog catalog = SchemaCatalog.Empty;
        Assert.Equal(0, catalog.Revision);
        long expected = 0;
        foreach (IMessage schema in new IMessage[] { _s.StreamGroup(), _s.MeasureGroup(), _s.Stream(), _s.Measure(), _s.IndexRule(), _s.Binding(), _s.TopN() })
        {
            SchemaEdit edit = SchemaRegistry.Create(catalog, schema, s_t0);
            expected++;
            Assert.Equal(expected, edit.Change!.Revision);
            Assert.Equal(expected - 1, edit.Change.PreviousRevision);
            Assert.Equal(expected, edit.Next.Revision);
            IMessage stored = SchemaRegistry.Get(edit.Next, SchemaKinds.KeyOf(schema));
            Metadata metadata = SchemaKinds.MetadataOf(stored)!;
            Assert.Equal(expected, metadata.CreateRevision);
            Assert.Equal(expected, metadata.ModRevision);
            catalog = edit.Next;
        }

        Assert.Equal(7, catalog.Count);
    }

    [Fact]
    public void Create_stamps_updated_at_and_created_at_and_ignores_client_revisions()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup());
        StreamSchema stream = _s.Stream();
        stream.Metadata.ModRevision = 999;
        stream.Metadata.CreateRevision = 998;
        catalog = SchemaRegistry.Create(catalog, stream, s_t0).Next;
        Assert.True(catalog.TryGetStream(_s.StreamGroupName, "sw", out StreamSchema? stored));
        Assert.Equal(2, stored.Metadata.ModRevision);
        Assert.Equal(2, stored.Metadata.CreateRevision);
        Assert.Equal(Timestamp.FromDateTimeOffset(s_t0), stored.UpdatedAt);
        Assert.Equal(Timestamp.FromDateTimeOffset(s_t0), stored.CreatedAt);
        Assert.Equal(999, stream.Metadata.ModRevision);

        // A created_at the client sets is kept (BanyanDB stamps it only when absent).
        StreamSchema other = _s.Stream();
        other.Metadata.Name = "other";
        other.CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2021, 4, 15, 0, 0, 0, TimeSpan.Zero));
        catalog = SchemaRegistry.Create(catalog, other, s_t0).Next;
        Assert.True(catalog.TryGetStream(_s.StreamGroupName, "other", out StreamSchema? kept));
        Assert.Equal(other.CreatedAt, kept.CreatedAt);
    }

    [Fact]
    public void A_duplicate_create_is_already_exists_and_changes_nothing()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream());
        SchemaAlreadyExistsException e = Assert.Throws<SchemaAlreadyExistsException>(() => SchemaRegistry.Create(catalog, _s.Stream(), s_t0));
        Assert.Equal(new SchemaKey(SchemaKind.Stream, _s.StreamGroupName, "sw"), e.Key);
        Assert.Equal($"Stream '{_s.StreamGroupName}/sw' already exists.", e.Message);
        Assert.Throws<SchemaAlreadyExistsException>(() => SchemaRegistry.Create(catalog, _s.StreamGroup(), s_t0));
    }

    [Fact]
    public void Update_keeps_create_revision_and_created_at_and_takes_a_new_mod_revision()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.MeasureGroup(), _s.Measure());
        Measure measure = _s.Measure();
        measure.TagFamilies[0].Tags.Add(new TagSpec { Name = "layer", Type = TagType.Int });
        measure.Fields.Add(new FieldSpec { Name = "count", FieldType = FieldType.Int, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd });
        DateTimeOffset later = s_t0.AddMinutes(5);
        (SchemaEdit edit, long modRevision) = SchemaRegistry.Update(catalog, measure, later);
        Assert.Equal(3, modRevision);
        Assert.True(edit.Next.TryGetMeasure(_s.MeasureGroupName, "cpm", out Measure? stored));
        Assert.Equal(2, stored.Metadata.CreateRevision);
        Assert.Equal(3, stored.Metadata.ModRevision);
        Assert.Equal(Timestamp.FromDateTimeOffset(s_t0), stored.CreatedAt);
        Assert.Equal(Timestamp.FromDateTimeOffset(later), stored.UpdatedAt);
        Assert.Equal(4, stored.TagFamilies[0].Tags.Count);
        Assert.Equal(3, stored.Fields.Count);
    }

    [Fact]
    public void Removing_a_field_or_a_non_entity_tag_is_allowed()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.MeasureGroup(), _s.Measure());
        Measure measure = _s.Measure();
        measure.Fields.RemoveAt(1);
        measure.TagFamilies[0].Tags.RemoveAt(2);
        (SchemaEdit edit, _) = SchemaRegistry.Update(catalog, measure, s_t0);
        Assert.True(edit.Next.TryGetMeasure(_s.MeasureGroupName, "cpm", out Measure? stored));
        Assert.Single(stored.Fields);
    }

    [Fact]
    public void An_update_that_changes_nothing_stores_nothing_and_returns_the_current_mod_revision()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream(), _s.MeasureGroup());
        StreamSchema same = _s.Stream();
        same.UpdatedAt = Timestamp.FromDateTimeOffset(s_t0.AddDays(1));
        same.Metadata.ModRevision = 77;
        (SchemaEdit edit, long modRevision) = SchemaRegistry.Update(catalog, same, s_t0.AddDays(1));
        Assert.Null(edit.Change);
        Assert.Same(catalog, edit.Next);
        Assert.Equal(2, modRevision);
    }

    [Fact]
    public void Get_and_update_of_a_missing_schema_are_not_found()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup());
        SchemaNotFoundException get = Assert.Throws<SchemaNotFoundException>(() => SchemaRegistry.Get(catalog, new SchemaKey(SchemaKind.Stream, _s.StreamGroupName, "sw")));
        Assert.Equal($"Stream '{_s.StreamGroupName}/sw' does not exist.", get.Message);
        Assert.Throws<SchemaNotFoundException>(() => SchemaRegistry.Update(catalog, _s.Stream(), s_t0));
        Assert.Throws<SchemaNotFoundException>(() => SchemaRegistry.Get(catalog, SchemaKey.ForGroup("nope")));
        Assert.Throws<SchemaNotFoundException>(() => SchemaRegistry.DeleteGroup(catalog, "nope", dryRun: false, s_t0));
        SchemaValidationException unnamed = Assert.Throws<SchemaValidationException>(() => SchemaRegistry.Get(catalog, new SchemaKey(SchemaKind.Stream, _s.StreamGroupName, "")));
        Assert.Equal("metadata.name", unnamed.Field);
    }

    [Fact]
    public void Delete_removes_one_schema_and_answers_deleted_false_for_a_missing_one()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream(), _s.IndexRule(), _s.Binding());
        SchemaKey rule = new(SchemaKind.IndexRule, _s.StreamGroupName, "trace_id");
        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.Delete(catalog, rule, s_t0);
        Assert.True(deletion.Deleted);
        Assert.Equal(5, deletion.Revision);
        Assert.Equal((s_t0 - DateTimeOffset.UnixEpoch).Ticks * 100, deletion.DeleteTimeUnixNanos);
        Assert.False(edit.Next.Contains(rule));

        // Nothing else goes with it: the binding naming the rule stays (as in BanyanDB) and resolves to no rule.
        Assert.True(edit.Next.TryGetIndexRuleBinding(_s.StreamGroupName, "sw-binding", out _));
        Assert.Empty(edit.Next.IndexRulesFor(SchemaKind.Stream, _s.StreamGroupName, "sw", s_t0));

        (SchemaEdit again, SchemaDeletion none) = SchemaRegistry.Delete(edit.Next, rule, s_t0);
        Assert.False(none.Deleted);
        Assert.Equal(0, none.DeleteTimeUnixNanos);
        Assert.Equal(5, none.Revision);
        Assert.Null(again.Change);
    }

    [Fact]
    public void Deleting_a_group_removes_every_schema_in_it_in_one_revision_and_a_dry_run_only_lists_them()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.MeasureGroup(), _s.Stream(), _s.Measure(), _s.IndexRule(), _s.Binding(), _s.TopN());
        (SchemaEdit dry, SchemaDeletion preview) = SchemaRegistry.DeleteGroup(catalog, _s.StreamGroupName, dryRun: true, s_t0);
        Assert.Null(dry.Change);
        Assert.False(preview.Deleted);
        Assert.Equal(["sw"], preview.Contents!.Streams.ToArray());
        Assert.Equal(["trace_id"], preview.Contents.IndexRules.ToArray());
        Assert.Equal(["sw-binding"], preview.Contents.IndexRuleBindings.ToArray());
        Assert.Empty(preview.Contents.Measures);

        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.DeleteGroup(catalog, _s.StreamGroupName, dryRun: false, s_t0);
        Assert.True(deletion.Deleted);
        Assert.Equal(catalog.Revision + 1, edit.Next.Revision);
        Assert.Equal(4, edit.Change!.Deletions.Length);
        Assert.False(edit.Next.TryGetGroup(_s.StreamGroupName, out _));
        Assert.Empty(edit.Next.KeysIn(_s.StreamGroupName));
        Assert.Equal(3, edit.Next.Count);
        Assert.True(edit.Next.TryGetTopNAggregation(_s.MeasureGroupName, "top", out _));

        // A stream created after the group is re-created starts from scratch.
        SchemaCatalog recreated = Create(edit.Next, _s.StreamGroup());
        Assert.False(recreated.TryGetStream(_s.StreamGroupName, "sw", out _));
    }

    [Fact]
    public void A_data_only_deletion_gives_the_group_a_new_create_revision_and_changes_nothing_else()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream(), _s.IndexRule(), _s.Binding());
        Assert.True(catalog.TryGetGroup(_s.StreamGroupName, out Group? before));
        Assert.True(catalog.TryGetStream(_s.StreamGroupName, "sw", out StreamSchema? stream));

        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.DeleteGroupData(catalog, _s.StreamGroupName, s_t0.AddHours(1));
        Assert.True(deletion.Deleted);
        Assert.Null(deletion.Contents);
        Assert.Equal(catalog.Revision + 1, deletion.Revision);
        Assert.Equal((s_t0.AddHours(1) - DateTimeOffset.UnixEpoch).Ticks * 100, deletion.DeleteTimeUnixNanos);

        // The group, renewed: the data of the old incarnation (its create_revision) is no longer read by anything.
        Assert.True(edit.Next.TryGetGroup(_s.StreamGroupName, out Group? after));
        Assert.Equal(deletion.Revision, after.Metadata.CreateRevision);
        Assert.Equal(deletion.Revision, after.Metadata.ModRevision);
        Assert.Equal(before.ResourceOpts, after.ResourceOpts);
        Assert.Equal(before.Catalog, after.Catalog);
        Assert.Equal(Timestamp.FromDateTimeOffset(s_t0.AddHours(1)), after.UpdatedAt);
        Assert.Equal(before.UpdatedAt, catalog.TryGetGroup(_s.StreamGroupName, out Group? unchanged) ? unchanged.UpdatedAt : null);

        // Every other schema as it was, with its own revisions.
        Assert.Equal(catalog.Count, edit.Next.Count);
        Assert.True(edit.Next.TryGetStream(_s.StreamGroupName, "sw", out StreamSchema? streamAfter));
        Assert.Equal(stream, streamAfter);
        Assert.Single(edit.Change!.Upserts);
        Assert.Empty(edit.Change.Deletions);

        Assert.Throws<SchemaNotFoundException>(() => SchemaRegistry.DeleteGroupData(catalog, "nope", s_t0));
        Assert.Equal("group", Assert.Throws<SchemaValidationException>(() => SchemaRegistry.DeleteGroupData(catalog, "", s_t0)).Field);
    }

    [Fact]
    public void Exist_answers_has_group_and_has_schema()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream());
        Assert.Equal(new SchemaExistence(true, true), SchemaRegistry.Exist(catalog, new SchemaKey(SchemaKind.Stream, _s.StreamGroupName, "sw")));
        Assert.Equal(new SchemaExistence(true, false), SchemaRegistry.Exist(catalog, new SchemaKey(SchemaKind.Measure, _s.StreamGroupName, "sw")));
        Assert.Equal(new SchemaExistence(false, false), SchemaRegistry.Exist(catalog, new SchemaKey(SchemaKind.Stream, "absent", "sw")));
        Assert.Equal(new SchemaExistence(true, true), SchemaRegistry.Exist(catalog, SchemaKey.ForGroup(_s.StreamGroupName)));
        Assert.Equal(new SchemaExistence(false, false), SchemaRegistry.Exist(catalog, SchemaKey.ForGroup("absent")));
    }

    [Fact]
    public void List_answers_one_kind_of_one_group_sorted_by_name_and_requires_the_group()
    {
        StreamSchema b = _s.Stream();
        b.Metadata.Name = "b";
        StreamSchema a = _s.Stream();
        a.Metadata.Name = "a";
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.MeasureGroup(), b, a, _s.Measure());
        Assert.Equal(["a", "b"], SchemaRegistry.List(catalog, SchemaKind.Stream, _s.StreamGroupName).Select(m => SchemaKinds.MetadataOf(m)!.Name));
        Assert.Empty(SchemaRegistry.List(catalog, SchemaKind.Stream, _s.MeasureGroupName));
        Assert.Empty(SchemaRegistry.List(catalog, SchemaKind.Stream, "absent"));
        Assert.Equal([_s.MeasureGroupName, _s.StreamGroupName], SchemaRegistry.List(catalog, SchemaKind.Group, null).Select(m => SchemaKinds.MetadataOf(m)!.Name));
        Assert.Equal("group", Assert.Throws<SchemaValidationException>(() => SchemaRegistry.List(catalog, SchemaKind.Measure, "")).Field);
    }

    [Fact]
    public void An_index_rule_without_an_id_gets_banyandbs_crc32_of_group_and_name()
    {
        // Go: crc32.ChecksumIEEE([]byte("sg-reg" + "trace_id")); Python: zlib.crc32(b"sg-regtrace_id") = 0xC006B53B.
        Assert.Equal(0xC006B53Bu, SchemaRegistry.IndexRuleId("sg-reg", "trace_id"));
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.IndexRule());
        Assert.True(catalog.TryGetIndexRule(_s.StreamGroupName, "trace_id", out IndexRule? rule));
        Assert.Equal(0xC006B53Bu, rule.Metadata.Id);

        // An update without an id keeps the stored one; an explicit id is kept as given.
        IndexRule update = _s.IndexRule();
        update.Analyzer = "keyword";
        (SchemaEdit edit, _) = SchemaRegistry.Update(catalog, update, s_t0);
        Assert.True(edit.Next.TryGetIndexRule(_s.StreamGroupName, "trace_id", out IndexRule? updated));
        Assert.Equal(0xC006B53Bu, updated.Metadata.Id);
        IndexRule explicitId = _s.IndexRule();
        explicitId.Metadata.Name = "explicit";
        explicitId.Metadata.Id = 7;
        Assert.True(Create(catalog, explicitId).TryGetIndexRule(_s.StreamGroupName, "explicit", out IndexRule? kept));
        Assert.Equal(7u, kept.Metadata.Id);
    }

    [Theory]
    [InlineData(TagType.String)]
    [InlineData(TagType.Int)]
    [InlineData(TagType.DataBinary)]
    [InlineData(TagType.Timestamp)]
    public void Scalar_tags_can_be_entity_tags(TagType type)
    {
        StreamSchema stream = _s.Stream();
        stream.TagFamilies[0].Tags[1].Type = type;
        Assert.True(Create(SchemaCatalog.Empty, _s.StreamGroup(), stream).TryGetStream(_s.StreamGroupName, "sw", out _));
    }

    [Fact]
    public void A_binding_may_name_rules_that_do_not_exist_yet_as_in_banyandb_and_they_apply_once_created()
    {
        IndexRuleBinding binding = _s.Binding();
        binding.Rules.Add("duration");
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.StreamGroup(), _s.Stream(), binding);
        Assert.Empty(catalog.IndexRulesFor(SchemaKind.Stream, _s.StreamGroupName, "sw", s_t0));
        IndexRule duration = _s.IndexRule();
        duration.Metadata.Name = "duration";
        duration.Tags[0] = "duration";
        catalog = Create(catalog, _s.IndexRule(), duration);
        Assert.Equal(["trace_id", "duration"], catalog.IndexRulesFor(SchemaKind.Stream, _s.StreamGroupName, "sw", s_t0).Select(r => r.Metadata.Name));

        // Outside the binding's window no rule applies; another subject has none.
        Assert.Empty(catalog.IndexRulesFor(SchemaKind.Stream, _s.StreamGroupName, "sw", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Empty(catalog.IndexRulesFor(SchemaKind.Stream, _s.StreamGroupName, "other", s_t0));
        Assert.Empty(catalog.IndexRulesFor(SchemaKind.Measure, _s.StreamGroupName, "sw", s_t0));
    }

    [Fact]
    public void TopN_aggregations_are_found_by_their_source_measure()
    {
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, _s.MeasureGroup(), _s.Measure(), _s.TopN());
        Assert.Equal(["top"], catalog.TopNAggregationsOf(_s.MeasureGroupName, "cpm").Select(t => t.Metadata.Name));
        Assert.Empty(catalog.TopNAggregationsOf(_s.MeasureGroupName, "other"));
    }

    [Fact]
    public void Property_and_trace_groups_are_stored_as_BanyanDB_accepts_them_but_hold_no_stream_or_measure()
    {
        Group property = _s.MeasureGroup();
        property.Metadata.Name = "props";
        property.Catalog = Catalog.Property;
        property.ResourceOpts.SegmentInterval = null;
        property.ResourceOpts.Ttl = null;
        Group trace = _s.StreamGroup();
        trace.Metadata.Name = "traces";
        trace.Catalog = Catalog.Trace;
        SchemaCatalog catalog = Create(SchemaCatalog.Empty, property, trace);
        StreamSchema stream = _s.Stream();
        stream.Metadata.Group = "traces";
        Assert.Contains("CATALOG_TRACE group", Assert.Throws<SchemaValidationException>(() => SchemaRegistry.Create(catalog, stream, s_t0)).Reason, StringComparison.Ordinal);
    }

    private static SchemaCatalog Create(SchemaCatalog catalog, params IMessage[] schemas)
    {
        foreach (IMessage schema in schemas)
        {
            catalog = SchemaRegistry.Create(catalog, schema, s_t0).Next;
        }

        return catalog;
    }
}
