using System.Net;
using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// BanyanDB's registry routes of the HTTP gateway against a real silo host: create, get, list, update and delete of every
/// schema kind with JSON in and out, grpc-gateway's JSON rules, error bodies and statuses, the group routes' query
/// parameters, version and health.
/// </summary>
public sealed class GatewayRegistryTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>, IDisposable
{
    private readonly GatewayHttp _http = new(fixture.Host.HttpPort);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Every_kind_is_created_read_listed_updated_and_deleted_over_http()
    {
        SchemaSamples s = new("gw-crud");
        long last = 0;
        foreach (IMessage schema in new IMessage[] { s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure(), s.IndexRule(), s.Binding(), s.TopN() })
        {
            Kind kind = Kind.Of(schema);
            JsonElement created = (await _http.PostAsync($"/api/v1/{kind.Path}/schema", kind.CreateRequest(schema))).Json();
            long revision = long.Parse(created.GetProperty("modRevision").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(revision > last, $"{kind.Path}: revision {revision} after {last}");
            last = revision;

            IMessage stored = await GetAsync(kind, schema);
            Assert.Equal(revision, MetadataOf(stored).CreateRevision);
            Assert.Equal(Normalized(schema), Normalized(stored));

            JsonElement list = (await _http.GetAsync(kind.ListPath(schema))).Json();
            Assert.Contains(list.GetProperty(kind.ListField).EnumerateArray(), e => e.GetProperty("metadata").GetProperty("name").GetString() == MetadataOf(schema).Name);
        }

        // Update through each kind's PUT: the path names the schema (the body's metadata is overridden by it).
        IMessage[] updates = [Changed(s.StreamGroup()), Changed(s.MeasureGroup()), Changed(s.Stream()), Changed(s.Measure()), Changed(s.IndexRule()), Changed(s.Binding()), Changed(s.TopN())];
        foreach (IMessage update in updates)
        {
            Kind kind = Kind.Of(update);
            IMessage body = update.Descriptor.Parser.ParseFrom(update.ToByteString());
            MetadataOf(body).Name = "not-the-path-name";
            IMessage request = kind.UpdateRequest(body);
            GatewayAnswer answer = await _http.PutAsync(kind.ItemPath(update), request);
            long revision = long.Parse(answer.Json().GetProperty("modRevision").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(revision > last, $"{kind.Path}: update revision {revision} after {last}");
            last = revision;
            IMessage stored = await GetAsync(kind, update);
            Assert.Equal(revision, MetadataOf(stored).ModRevision);
            Assert.Equal(Normalized(update), Normalized(stored));
        }

        // Delete in reverse order of dependencies: deleted, then NOT_FOUND, then deleted = false.
        foreach (IMessage schema in new IMessage[] { s.TopN(), s.Binding(), s.IndexRule(), s.Measure(), s.Stream() })
        {
            Kind kind = Kind.Of(schema);
            JsonElement deleted = (await _http.DeleteAsync(kind.ItemPath(schema))).Json();
            Assert.True(deleted.GetProperty("deleted").GetBoolean(), $"{kind.Path}: {deleted}");
            Assert.NotEqual("0", deleted.GetProperty("deleteTime").GetString());
            string missing = (await _http.GetAsync(kind.ItemPath(schema))).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
            Assert.Contains("does not exist", missing, StringComparison.Ordinal);
            Assert.False((await _http.DeleteAsync(kind.ItemPath(schema))).Json().GetProperty("deleted").GetBoolean());
        }

        foreach (IMessage group in new IMessage[] { s.StreamGroup(), s.MeasureGroup() })
        {
            Kind kind = Kind.Of(group);
            Assert.NotEqual("0", (await _http.DeleteAsync(kind.ItemPath(group))).Json().GetProperty("deleteTime").GetString());
            (await _http.GetAsync(kind.ItemPath(group))).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Requests_in_proto_names_or_lower_camel_case_with_unknown_fields_and_int64_strings_are_read_alike()
    {
        SchemaSamples s = new("gw-names");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/v1/group/schema", GatewayHttp.ProtoNames.Format(new GroupRegistryServiceCreateRequest { Group = s.MeasureGroup() }))).Status);

        // Proto names (tag_families, field_type), an unknown field at the top and nested ones, int64 revisions as strings.
        Measure measure = s.Measure();
        string protoNames = GatewayHttp.ProtoNames.Format(new MeasureRegistryServiceCreateRequest { Measure = measure });
        Assert.Contains("\"tag_families\"", protoNames, StringComparison.Ordinal);
        string withExtras = protoNames[..^1] + ", \"future_option\": {\"x\": [1, 2]}}";
        withExtras = withExtras.Replace("\"metadata\": {", "\"metadata\": { \"not_a_field\": true, \"mod_revision\": \"0\",", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/v1/measure/schema", withExtras)).Status);

        // lowerCamelCase for a second measure, with an int64 given as a number.
        Measure second = s.Measure();
        second.Metadata.Name = "cpm2";
        string camel = JsonFormatter.Default.Format(new MeasureRegistryServiceCreateRequest { Measure = second }).Replace("\"metadata\": {", "\"metadata\": { \"createRevision\": 0, \"unknownCamel\": \"x\",", StringComparison.Ordinal);
        Assert.Contains("\"tagFamilies\"", camel, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/v1/measure/schema", camel)).Status);

        Measure first = (await _http.GetAsync($"/api/v1/measure/schema/{s.MeasureGroupName}/cpm")).As<MeasureRegistryServiceGetResponse>().Measure;
        Measure other = (await _http.GetAsync($"/api/v1/measure/schema/{s.MeasureGroupName}/cpm2")).As<MeasureRegistryServiceGetResponse>().Measure;
        Assert.Equal(Normalized(measure), Normalized(first));
        other.Metadata.Name = "cpm";
        Assert.Equal(Normalized(measure), Normalized(other));
    }

    [Fact]
    public async Task Responses_are_lower_camel_case_with_default_values_written_and_int64_as_strings()
    {
        SchemaSamples s = new("gw-out");
        await _http.PostAsync("/api/v1/group/schema", new GroupRegistryServiceCreateRequest { Group = s.StreamGroup() });
        GatewayAnswer answer = await _http.GetAsync($"/api/v1/group/schema/{s.StreamGroupName}");
        JsonElement group = answer.Json().GetProperty("group");

        // Defaults written out: the empty metadata.group, id 0, empty repeated fields, replicas 0.
        JsonElement metadata = group.GetProperty("metadata");
        Assert.Equal(string.Empty, metadata.GetProperty("group").GetString());
        Assert.Equal(0, metadata.GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.String, metadata.GetProperty("createRevision").ValueKind);
        Assert.Equal(JsonValueKind.String, metadata.GetProperty("modRevision").ValueKind);
        Assert.Equal("CATALOG_STREAM", group.GetProperty("catalog").GetString());
        JsonElement options = group.GetProperty("resourceOpts");
        Assert.Equal(0, options.GetProperty("replicas").GetInt32());
        Assert.Equal(0, options.GetProperty("stages").GetArrayLength());
        Assert.Equal(JsonValueKind.String, group.GetProperty("updatedAt").ValueKind);

        // No proto (snake_case) names anywhere.
        Assert.All(Keys(answer.Json()), key => Assert.DoesNotContain('_', key));

        // A response whose fields are all defaults is still written field by field.
        JsonElement deleted = (await _http.DeleteAsync($"/api/v1/stream/schema/{s.StreamGroupName}/nothing")).Json();
        Assert.False(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("0", deleted.GetProperty("deleteTime").GetString());
    }

    [Fact]
    public async Task Errors_are_grpc_gateway_bodies_with_the_http_status_of_their_code()
    {
        SchemaSamples s = new("gw-errors");
        await _http.PostAsync("/api/v1/group/schema", new GroupRegistryServiceCreateRequest { Group = s.StreamGroup() });
        await _http.PostAsync("/api/v1/stream/schema", new StreamRegistryServiceCreateRequest { Stream = s.Stream() });

        string duplicate = (await _http.PostAsync("/api/v1/stream/schema", new StreamRegistryServiceCreateRequest { Stream = s.Stream() })).AssertError(HttpStatusCode.Conflict, StatusCode.AlreadyExists);
        Assert.Equal($"Stream '{s.StreamGroupName}/sw' already exists.", duplicate);

        string missing = (await _http.GetAsync($"/api/v1/measure/schema/{s.StreamGroupName}/cpm")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
        Assert.Equal($"Measure '{s.StreamGroupName}/cpm' does not exist.", missing);

        StreamSchema bad = s.Stream();
        bad.Metadata.Name = "bad";
        bad.Entity.TagNames[0] = "nope";
        string invalid = (await _http.PostAsync("/api/v1/stream/schema", new StreamRegistryServiceCreateRequest { Stream = bad })).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.StartsWith("stream.entity.tag_names[0]:", invalid, StringComparison.Ordinal);

        string noStream = (await _http.PostAsync("/api/v1/stream/schema", "{}")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Equal("stream: is required", noStream);
        Assert.Equal("stream: is required", (await _http.PostAsync("/api/v1/stream/schema", string.Empty)).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument));

        string malformed = (await _http.PostAsync("/api/v1/stream/schema", "{\"stream\": ")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.StartsWith("The request body is not a valid banyandb.database.v1.StreamRegistryServiceCreateRequest in JSON:", malformed, StringComparison.Ordinal);
        string wrongType = (await _http.PostAsync("/api/v1/stream/schema", "{\"stream\": {\"metadata\": {\"name\": 5}}}")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.StartsWith("The request body is not a valid banyandb.database.v1.StreamRegistryServiceCreateRequest in JSON:", wrongType, StringComparison.Ordinal);
        (await _http.PostAsync("/api/v1/stream/schema", "{\"stream\": {\"tagFamilies\": [{\"tags\": [{\"type\": \"TAG_TYPE_NOPE\"}]}]}}")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);

        // The deletion task of a group never deleted: NOT_FOUND, 404.
        string task = (await _http.GetAsync($"/api/v1/group/task/{s.StreamGroupName}")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
        Assert.Equal($"deletion task for group {s.StreamGroupName} not found", task);

        // Routing errors as grpc-gateway answers them.
        Assert.Equal("Not Found", (await _http.GetAsync("/api/v1/no/such/route")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound));
        Assert.Equal("Not Found", (await _http.GetAsync("/api/v1/trace/schema/lists/g")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound));
        Assert.Equal("Method Not Allowed", (await _http.SendAsync(HttpMethod.Patch, $"/api/v1/stream/schema/{s.StreamGroupName}/sw", "{}")).AssertError(HttpStatusCode.NotImplemented, StatusCode.Unimplemented));
        Assert.Equal("Method Not Allowed", (await _http.GetAsync("/api/v1/stream/data")).AssertError(HttpStatusCode.NotImplemented, StatusCode.Unimplemented));

        // A query parameter that does not fit its field.
        string badBool = (await _http.DeleteAsync($"/api/v1/group/schema/{s.StreamGroupName}?dryRun=maybe")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Equal("query parameter 'dryRun': 'maybe' is not a valid bool", badBool);
    }

    [Fact]
    public async Task Group_deletion_reads_its_options_from_the_query_string_in_either_name_style()
    {
        SchemaSamples s = new("gw-drop");
        await _http.PostAsync("/api/v1/group/schema", new GroupRegistryServiceCreateRequest { Group = s.StreamGroup() });
        await _http.PostAsync("/api/v1/stream/schema", new StreamRegistryServiceCreateRequest { Stream = s.Stream() });

        foreach (string dryRun in new[] { "dryRun=true", "dry_run=1" })
        {
            GroupRegistryServiceDeleteResponse dry = (await _http.DeleteAsync($"/api/v1/group/schema/{s.StreamGroupName}?{dryRun}&unknownParameter=1")).As<GroupRegistryServiceDeleteResponse>();
            Assert.Equal(["sw"], dry.SchemaInfo.Streams);
            Assert.Equal(0, dry.DeleteTime);
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/api/v1/group/schema/{s.StreamGroupName}")).Status);
        }

        // A data-only deletion keeps the schemas (the group holds no data, so it needs no force).
        GroupRegistryServiceDeleteResponse dataOnly = (await _http.DeleteAsync($"/api/v1/group/schema/{s.StreamGroupName}?data_only=true")).As<GroupRegistryServiceDeleteResponse>();
        Assert.True(dataOnly.DeleteTime > 0);
        Assert.Null(dataOnly.SchemaInfo);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/api/v1/stream/schema/{s.StreamGroupName}/sw")).Status);

        GroupRegistryServiceDeleteResponse deleted = (await _http.DeleteAsync($"/api/v1/group/schema/{s.StreamGroupName}")).As<GroupRegistryServiceDeleteResponse>();
        Assert.True(deleted.DeleteTime > 0);
        (await _http.GetAsync($"/api/v1/stream/schema/{s.StreamGroupName}/sw")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
        Assert.Empty((await _http.GetAsync($"/api/v1/stream/schema/lists/{s.StreamGroupName}")).As<StreamRegistryServiceListResponse>().Stream);
    }

    [Fact]
    public async Task Head_on_a_get_route_answers_whether_the_schema_exists_without_a_body()
    {
        SchemaSamples s = new("gw-head");
        await _http.PostAsync("/api/v1/group/schema", new GroupRegistryServiceCreateRequest { Group = s.StreamGroup() });
        await _http.PostAsync("/api/v1/stream/schema", new StreamRegistryServiceCreateRequest { Stream = s.Stream() });

        GatewayAnswer exists = await _http.SendAsync(HttpMethod.Head, $"/api/v1/stream/schema/{s.StreamGroupName}/sw", null);
        Assert.Equal(HttpStatusCode.OK, exists.Status);
        Assert.Equal(string.Empty, exists.Body);
        GatewayAnswer missing = await _http.SendAsync(HttpMethod.Head, $"/api/v1/stream/schema/{s.StreamGroupName}/nope", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(string.Empty, missing.Body);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(HttpMethod.Head, $"/api/v1/group/schema/{s.StreamGroupName}", null)).Status);
    }

    [Fact]
    public async Task Version_and_health_are_served()
    {
        GetAPIVersionResponse version = (await _http.GetAsync("/api/v1/common/api/version")).As<GetAPIVersionResponse>();
        Assert.Equal("0.10", version.Version.Version);
        Assert.Equal(Banyan.Api.ApiVersion.Revision, version.Version.Revision);

        GatewayAnswer health = await _http.GetAsync("/api/healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("SERVING", health.Json().GetProperty("status").GetString());
    }

    private async Task<IMessage> GetAsync(Kind kind, IMessage schema)
    {
        GatewayAnswer answer = await _http.GetAsync(kind.ItemPath(schema));
        Assert.True(answer.Status == HttpStatusCode.OK, $"GET {kind.ItemPath(schema)}: {answer.Body}");
        IMessage response = kind.GetResponse.Parser.ParseJson(answer.Body);
        return (IMessage)kind.GetResponse.Fields.InDeclarationOrder()[0].Accessor.GetValue(response);
    }

    private static IEnumerable<string> Keys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Keys(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Keys),
        _ => [],
    };

    // A change each kind's update rules allow.
    private static IMessage Changed(IMessage schema)
    {
        switch (schema)
        {
            case Group g:
                g.ResourceOpts.Ttl.Num++;
                break;
            case StreamSchema stream:
                stream.TagFamilies[0].Tags.Add(new TagSpec { Name = "endpoint", Type = TagType.String });
                break;
            case Measure measure:
                measure.TagFamilies[0].Tags.Add(new TagSpec { Name = "layer", Type = TagType.String });
                break;
            case IndexRule rule:
                rule.Analyzer = "keyword";
                break;
            case IndexRuleBinding binding:
                binding.ExpireAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero));
                break;
            case TopNAggregation topN:
                topN.CountersNumber = 500;
                break;
        }

        return schema;
    }

    private static Metadata MetadataOf(IMessage schema) => (Metadata)schema.Descriptor.FindFieldByName("metadata").Accessor.GetValue(schema);

    // The schema without what the server sets: revisions, timestamps and (for rules) the id.
    private static IMessage Normalized(IMessage schema)
    {
        IMessage copy = schema.Descriptor.Parser.ParseFrom(schema.ToByteString());
        Metadata metadata = MetadataOf(copy);
        metadata.CreateRevision = 0;
        metadata.ModRevision = 0;
        if (copy is IndexRule)
        {
            metadata.Id = 0;
        }

        copy.Descriptor.FindFieldByName("updated_at").Accessor.Clear(copy);
        copy.Descriptor.FindFieldByName("created_at").Accessor.Clear(copy);
        return copy;
    }

    /// <summary>A schema kind's routes and request messages.</summary>
    private sealed record Kind(string Path, string ListField, Google.Protobuf.Reflection.MessageDescriptor Create, Google.Protobuf.Reflection.MessageDescriptor Update, Google.Protobuf.Reflection.MessageDescriptor GetResponse)
    {
        public static Kind Of(IMessage schema) => schema switch
        {
            Group => new("group", "group", GroupRegistryServiceCreateRequest.Descriptor, GroupRegistryServiceUpdateRequest.Descriptor, GroupRegistryServiceGetResponse.Descriptor),
            StreamSchema => new("stream", "stream", StreamRegistryServiceCreateRequest.Descriptor, StreamRegistryServiceUpdateRequest.Descriptor, StreamRegistryServiceGetResponse.Descriptor),
            Measure => new("measure", "measure", MeasureRegistryServiceCreateRequest.Descriptor, MeasureRegistryServiceUpdateRequest.Descriptor, MeasureRegistryServiceGetResponse.Descriptor),
            IndexRule => new("index-rule", "indexRule", IndexRuleRegistryServiceCreateRequest.Descriptor, IndexRuleRegistryServiceUpdateRequest.Descriptor, IndexRuleRegistryServiceGetResponse.Descriptor),
            IndexRuleBinding => new("index-rule-binding", "indexRuleBinding", IndexRuleBindingRegistryServiceCreateRequest.Descriptor, IndexRuleBindingRegistryServiceUpdateRequest.Descriptor, IndexRuleBindingRegistryServiceGetResponse.Descriptor),
            TopNAggregation => new("topn-agg", "topNAggregation", TopNAggregationRegistryServiceCreateRequest.Descriptor, TopNAggregationRegistryServiceUpdateRequest.Descriptor, TopNAggregationRegistryServiceGetResponse.Descriptor),
            _ => throw new ArgumentException(schema.Descriptor.FullName, nameof(schema)),
        };

        public IMessage CreateRequest(IMessage schema) => Wrap(Create, schema);

        public IMessage UpdateRequest(IMessage schema) => Wrap(Update, schema);

        // GET and DELETE of one schema: /{group} for groups, /{group}/{name} for the rest.
        public string ItemPath(IMessage schema)
        {
            Metadata metadata = MetadataOf(schema);
            return Path == "group" ? $"/api/v1/group/schema/{metadata.Name}" : $"/api/v1/{Path}/schema/{metadata.Group}/{metadata.Name}";
        }

        public string ListPath(IMessage schema) =>
            Path == "group" ? "/api/v1/group/schema/lists" : $"/api/v1/{Path}/schema/lists/{MetadataOf(schema).Group}";

        private static IMessage Wrap(Google.Protobuf.Reflection.MessageDescriptor request, IMessage schema)
        {
            IMessage message = (IMessage)Activator.CreateInstance(request.ClrType)!;
            request.Fields.InDeclarationOrder()[0].Accessor.SetValue(message, schema);
            return message;
        }
    }
}
