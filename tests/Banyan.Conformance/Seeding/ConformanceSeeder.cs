using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance.Fixtures;
using Banyan.Conformance.Targets;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// Loads the schemas and writes the data of <c>seed.json</c> into a target, in upstream order, and fails loudly
/// (<see cref="SeedStepFailedException"/>, naming the step) when the target does not take them as BanyanDB would.
/// </summary>
public sealed class ConformanceSeeder
{
    /// <summary>The catalogs this harness seeds; trace and property are not wired yet.</summary>
    public static readonly IReadOnlySet<string> SupportedCatalogs = new HashSet<string>(StringComparer.Ordinal) { "stream", "measure" };

    // Schema folders (the last folder of a seed.json glob) and what each file holds.
    private static readonly Dictionary<string, MessageDescriptor> s_schemaFolders = new(StringComparer.Ordinal)
    {
        ["streams"] = Banyan.Api.Database.V1.Stream.Descriptor,
        ["measures"] = Measure.Descriptor,
        ["index_rules"] = IndexRule.Descriptor,
        ["index_rule_bindings"] = IndexRuleBinding.Descriptor,
        ["topn_aggregations"] = TopNAggregation.Descriptor,
    };

    private readonly IBanyanTarget _target;
    private readonly string _root;
    private readonly SeedPlan _plan;
    private readonly ConformanceOptions _options;
    private readonly TimeProvider _clock;

    /// <summary>A seeder writing <paramref name="plan"/> (read from <paramref name="root"/>) into <paramref name="target"/>.</summary>
    public ConformanceSeeder(IBanyanTarget target, string root, SeedPlan plan, ConformanceOptions options, TimeProvider clock)
    {
        _target = target;
        _root = root;
        _plan = plan;
        _options = options;
        _clock = clock;
    }

    /// <summary>
    /// Creates the schemas of <paramref name="catalogs"/> and writes their steps. B is taken from the clock when
    /// seeding starts. Expired steps are written too (their data must never be returned).
    /// </summary>
    public async Task<SeedResult> SeedAsync(IReadOnlySet<string> catalogs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalogs);
        foreach (string catalog in catalogs)
        {
            if (!SupportedCatalogs.Contains(catalog))
            {
                throw new NotSupportedException($"The conformance seeder does not write the '{catalog}' catalog yet.");
            }
        }

        BaseTime baseTime = BaseTime.FromClock(_clock);
        MessageIdSequence messageIds = MessageIdSequence.FromClock(_clock);
        int schemas = (await LoadSchemasAsync(catalogs, cancellationToken)).Count;

        StreamWritePlanner streamPlanner = new(_root, baseTime, messageIds);
        MeasureWritePlanner measurePlanner = new(_root, baseTime, messageIds);
        int steps = 0, requests = 0;
        Dictionary<string, string> streamElements = new(StringComparer.Ordinal);
        for (int i = 0; i < _plan.Steps.Count; i++)
        {
            SeedStep step = _plan.Steps[i];
            if (step.WaitSeconds is double seconds)
            {
                // Upstream pauses here; only worth it when something this run writes follows.
                if (_plan.Steps.Skip(i + 1).Any(s => s.Catalog is not null && catalogs.Contains(s.Catalog)))
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds), _clock, cancellationToken);
                }

                continue;
            }

            if (step.Catalog is null || !catalogs.Contains(step.Catalog))
            {
                continue;
            }

            requests += step.Catalog == "stream"
                ? await WriteStreamStepAsync(streamPlanner, step, streamElements, cancellationToken)
                : await WriteMeasureStepAsync(measurePlanner, step, cancellationToken);
            steps++;
        }

        return new SeedResult(baseTime, schemas, steps, requests, streamElements);
    }

    /// <summary>
    /// Creates the schemas of <paramref name="catalogs"/> only, in upstream order (each catalog's groups, then its schema
    /// folders in <c>seed.json</c> order, files sorted by name), and returns them in the order they were created.
    /// </summary>
    public async Task<IReadOnlyList<IMessage>> LoadSchemasAsync(IReadOnlySet<string> catalogs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalogs);
        List<IMessage> created = [];
        foreach (SchemaLoadEntry entry in _plan.SchemaLoadOrder.Where(e => catalogs.Contains(e.Catalog)))
        {
            await LoadSchemasAsync(entry, created, cancellationToken);
        }

        return created;
    }

    private async Task LoadSchemasAsync(SchemaLoadEntry entry, List<IMessage> created, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> groupFiles = entry.GroupsAreArray ? [entry.Groups] : SchemaLoadEntry.Expand(_root, entry.Groups);
        foreach (string file in groupFiles)
        {
            FixtureSpec spec = new(file, entry.GroupsAreArray ? FixtureFormat.MessageArray : FixtureFormat.Message, Group.Descriptor, entry.Catalog);
            foreach (IMessage group in Read(spec))
            {
                await CreateAsync(file, group, (m, ct) => _target.CreateGroupAsync((Group)m, ct), cancellationToken);
                created.Add(group);
            }
        }

        foreach (string glob in entry.Then)
        {
            string folder = glob.Split('/')[^2];
            if (!s_schemaFolders.TryGetValue(folder, out MessageDescriptor? descriptor))
            {
                throw new NotSupportedException($"seed.json: the seeder cannot create schemas from '{glob}'.");
            }

            foreach (string file in SchemaLoadEntry.Expand(_root, glob))
            {
                IMessage schema = Read(new FixtureSpec(file, FixtureFormat.Message, descriptor, entry.Catalog)).Single();
                await CreateAsync(file, schema, CreateSchema, cancellationToken);
                created.Add(schema);
            }
        }
    }

    private Task CreateSchema(IMessage schema, CancellationToken cancellationToken) => schema switch
    {
        Banyan.Api.Database.V1.Stream stream => _target.CreateStreamAsync(stream, cancellationToken),
        Measure measure => _target.CreateMeasureAsync(measure, cancellationToken),
        IndexRule rule => _target.CreateIndexRuleAsync(rule, cancellationToken),
        IndexRuleBinding binding => _target.CreateIndexRuleBindingAsync(binding, cancellationToken),
        TopNAggregation topN => _target.CreateTopNAggregationAsync(topN, cancellationToken),
        _ => throw new InvalidOperationException($"No registry for {schema.Descriptor.FullName}: a harness bug."),
    };

    private async Task CreateAsync(string file, IMessage message, Func<IMessage, CancellationToken, Task> create, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        try
        {
            await create(message, timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new SeedStepFailedException($"schema {file}", $"creating {message.Descriptor.Name} {Describe(message)} failed: {e.Message}", e);
        }
    }

    private async Task<int> WriteStreamStepAsync(StreamWritePlanner planner, SeedStep step, Dictionary<string, string> streamElements, CancellationToken cancellationToken)
    {
        Dictionary<(string, string), Metadata> metadata = [];
        foreach ((string group, string name) in SchemasOf(step))
        {
            Banyan.Api.Database.V1.Stream stream = await CallAsync(step, $"StreamRegistryService/Get {group}/{name}", ct => _target.GetStreamAsync(new Metadata { Group = group, Name = name }, ct), cancellationToken);
            metadata[(group, name)] = stream.Metadata ?? throw new SeedStepFailedException(step.Describe(), $"the stored stream {group}/{name} has no metadata");
        }

        WritePlan<StreamV1.WriteRequest> plan = planner.Plan(step, (g, n) => metadata[(g, n)]);
        IReadOnlyList<StreamV1.WriteResponse> responses = await CallAsync(step, "StreamService/Write", ct => _target.StreamWriteAsync(plan.Requests, ct), cancellationToken);
        WriteResponseCheck.Verify(
            step,
            [.. plan.Requests.Select((r, i) => (r.MessageId, plan.Sources[i]))],
            [.. responses.Select(r => (r.MessageId, r.Status))]);

        // A request without metadata writes to the schema of the last one that had it (BanyanDB's protocol).
        Metadata? current = null;
        foreach (StreamV1.WriteRequest request in plan.Requests)
        {
            current = request.Metadata ?? current;
            string key = $"{current!.Group}|{current.Name}|{request.Element.ElementId}";
            streamElements[Comparison.ElementIdHash.Of(current.Group, current.Name, request.Element.ElementId)] = key;
        }

        return plan.Requests.Count;
    }

    private async Task<int> WriteMeasureStepAsync(MeasureWritePlanner planner, SeedStep step, CancellationToken cancellationToken)
    {
        Dictionary<(string, string), Metadata> metadata = [];
        foreach ((string group, string name) in SchemasOf(step))
        {
            Measure measure = await CallAsync(step, $"MeasureRegistryService/Get {group}/{name}", ct => _target.GetMeasureAsync(new Metadata { Group = group, Name = name }, ct), cancellationToken);
            metadata[(group, name)] = measure.Metadata ?? throw new SeedStepFailedException(step.Describe(), $"the stored measure {group}/{name} has no metadata");
        }

        WritePlan<MeasureV1.WriteRequest> plan = planner.Plan(step, (g, n) => metadata[(g, n)]);
        IReadOnlyList<MeasureV1.WriteResponse> responses = await CallAsync(step, "MeasureService/Write", ct => _target.MeasureWriteAsync(plan.Requests, ct), cancellationToken);
        WriteResponseCheck.Verify(
            step,
            [.. plan.Requests.Select((r, i) => (r.MessageId, plan.Sources[i]))],
            [.. responses.Select(r => (r.MessageId, r.Status))]);
        return plan.Requests.Count;
    }

    private async Task<T> CallAsync<T>(SeedStep step, string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        try
        {
            return await call(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string reason = timeout.IsCancellationRequested ? $"no answer within {_options.WriteTimeout.TotalSeconds:0.#} s" : e.Message;
            throw new SeedStepFailedException(step.Describe(), $"{what} failed: {reason}", e);
        }
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        CancellationTokenSource source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.WriteTimeout);
        return source;
    }

    // The schemas a step writes to (single-file steps name one; mixed steps name one per part that switches schema).
    private static IEnumerable<(string Group, string Name)> SchemasOf(SeedStep step)
    {
        if (step.Parts.Count == 0)
        {
            return [(step.Group!, step.Name!)];
        }

        return step.Parts.Where(p => p.Name is not null).Select(p => (p.Group!, p.Name!)).Distinct();
    }

    private IReadOnlyList<IMessage> Read(FixtureSpec spec) =>
        FixtureReader.Read(File.ReadAllText(Path.Combine(_root, spec.RelativePath.Replace('/', Path.DirectorySeparatorChar))), spec);

    private static string Describe(IMessage message) =>
        message.Descriptor.FindFieldByName("metadata")?.Accessor.GetValue(message) is Metadata metadata
            ? (string.IsNullOrEmpty(metadata.Group) ? metadata.Name : $"{metadata.Group}/{metadata.Name}")
            : string.Empty;
}
