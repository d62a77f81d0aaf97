using Banyan.Api.Common.V1;
using Banyan.Conformance.Fixtures;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// Builds the measure write requests of a seeding step exactly as upstream's helpers do
/// (<c>test/cases/measure/data/data.go</c>: <c>loadData</c>, <c>loadDataWithSpec</c>, <c>WriteMixed</c>). Pure: no I/O
/// but reading the data file, so the timestamp rules are testable without a server.
/// </summary>
public sealed class MeasureWritePlanner
{
    private readonly string _root;
    private readonly BaseTime _baseTime;
    private readonly MessageIdSequence _messageIds;

    /// <summary>A planner reading data files under <paramref name="root"/>, relative to <paramref name="baseTime"/>.</summary>
    public MeasureWritePlanner(string root, BaseTime baseTime, MessageIdSequence messageIds)
    {
        _root = root;
        _baseTime = baseTime;
        _messageIds = messageIds;
    }

    /// <summary>Builds the requests of <paramref name="step"/> (a measure mode), resolving schema metadata with <paramref name="metadata"/>.</summary>
    public WritePlan<MeasureV1.WriteRequest> Plan(SeedStep step, SchemaMetadataResolver metadata)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(metadata);
        List<MeasureV1.WriteRequest> requests = [];
        List<string> sources = [];
        switch (step.Mode)
        {
            case SeedMode.MeasureTrailing:
                // Write: loadData(baseTime = B + baseOffset); every request carries the metadata.
                AddTrailing(step, step.File!, metadata(step.Group!, step.Name!), step.BaseOffsetMs, spec: null, metadataOnEveryRequest: true, requests, sources);
                break;
            case SeedMode.MeasureMixed:
                AddMixedParts(step, metadata, requests, sources);
                break;
            default:
                throw new ArgumentException($"{step.Describe()} is not a measure write step.", nameof(step));
        }

        return new WritePlan<MeasureV1.WriteRequest>(step, requests, sources);
    }

    // WriteMixed: one stream; part k starts at B + baseOffset + (points already sent) × interval, and upstream passes
    // loadData/loadDataWithSpec the base partStart + (N − 1) × interval so that entry i lands on partStart + i × interval.
    private void AddMixedParts(SeedStep step, SchemaMetadataResolver resolve, List<MeasureV1.WriteRequest> requests, List<string> sources)
    {
        long partStartOffsetMs = step.BaseOffsetMs;
        Metadata? current = null;
        foreach (SeedPart part in step.Parts)
        {
            if (part.Name is not null)
            {
                current = resolve(part.Group!, part.Name);
            }

            if (current is null)
            {
                throw new FormatException($"{step.Describe()}: the first part must name a schema.");
            }

            int count = ReadPoints(part.File).Count;
            long trailingBaseOffsetMs = partStartOffsetMs + ((count - 1) * step.IntervalMs);
            if (part.IsSpec)
            {
                AddTrailing(step, part.File, part.MetadataOnFirstRequest ? current : null, trailingBaseOffsetMs, part.DataPointSpec, metadataOnEveryRequest: false, requests, sources);
            }
            else
            {
                AddTrailing(step, part.File, current, trailingBaseOffsetMs, spec: null, metadataOnEveryRequest: true, requests, sources);
            }

            partStartOffsetMs += count * step.IntervalMs;
        }
    }

    // loadData / loadDataWithSpec: for N entries, entry i is at base − (N − 1 − i) × interval, so the last one lands on
    // the base. Points carry no version (0). A spec goes on the first request only; so does the metadata of a spec part.
    private void AddTrailing(
        SeedStep step, string file, Metadata? metadata, long baseOffsetMs, MeasureV1.DataPointSpec? spec, bool metadataOnEveryRequest,
        List<MeasureV1.WriteRequest> requests, List<string> sources)
    {
        IReadOnlyList<IMessage> points = ReadPoints(file);
        int n = points.Count;
        for (int i = 0; i < n; i++)
        {
            MeasureV1.DataPointValue point = (MeasureV1.DataPointValue)points[i];
            point.Timestamp = _baseTime.At(baseOffsetMs - ((n - 1 - i) * step.IntervalMs));
            MeasureV1.WriteRequest request = new() { DataPoint = point, MessageId = _messageIds.Next() };
            if (metadata is not null && (metadataOnEveryRequest || i == 0))
            {
                request.Metadata = metadata.Clone();
            }

            if (spec is not null && i == 0)
            {
                request.DataPointSpec = spec.Clone();
            }

            requests.Add(request);
            sources.Add($"{file}[{i}]");
        }
    }

    private IReadOnlyList<IMessage> ReadPoints(string file) =>
        FixtureReader.Read(
            File.ReadAllText(Path.Combine(_root, file.Replace('/', Path.DirectorySeparatorChar))),
            new FixtureSpec(file, FixtureFormat.MessageArray, MeasureV1.DataPointValue.Descriptor, "measure"));
}
