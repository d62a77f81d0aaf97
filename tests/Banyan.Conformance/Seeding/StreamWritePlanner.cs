using System.Globalization;
using System.Text.Json.Nodes;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.Conformance.Fixtures;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// Builds the stream write requests of a seeding step exactly as upstream's helpers do
/// (<c>test/cases/stream/data/data.go</c>: <c>loadData</c>, <c>loadDataWithSpec</c>, <c>loadDataWithElementIDMap</c>,
/// <c>WriteMixed</c>). Pure: no I/O but reading the data file, so the timestamp rules are testable without a server.
/// </summary>
public sealed class StreamWritePlanner
{
    /// <summary>
    /// The first tag family (<c>data</c>) upstream prepends to every schema-order element: one tag, <c>binary_data</c> =
    /// base64 <c>YWJjMTIzIT8kKiYoKSctPUB+</c> ("abc123!?$*&amp;()'-=@~").
    /// </summary>
    public static readonly ByteString BinaryData = ByteString.FromBase64("YWJjMTIzIT8kKiYoKSctPUB+");

    private readonly string _root;
    private readonly BaseTime _baseTime;
    private readonly MessageIdSequence _messageIds;

    /// <summary>A planner reading data files under <paramref name="root"/>, relative to <paramref name="baseTime"/>.</summary>
    public StreamWritePlanner(string root, BaseTime baseTime, MessageIdSequence messageIds)
    {
        _root = root;
        _baseTime = baseTime;
        _messageIds = messageIds;
    }

    /// <summary>Builds the requests of <paramref name="step"/> (a stream mode), resolving schema metadata with <paramref name="metadata"/>.</summary>
    public WritePlan<StreamV1.WriteRequest> Plan(SeedStep step, SchemaMetadataResolver metadata)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(metadata);
        List<StreamV1.WriteRequest> requests = [];
        List<string> sources = [];
        switch (step.Mode)
        {
            case SeedMode.StreamCounter:
                {
                    // WriteToGroup: a fresh element counter per write call; every request carries the metadata.
                    int counter = 0;
                    AddCounterElements(step, step.File!, metadata(step.Group!, step.Name!), step.BaseOffsetMs, ref counter, requests, sources);
                    break;
                }

            case SeedMode.StreamExplicitId:
                AddExplicitIdElements(step, metadata(step.Group!, step.Name!), requests, sources);
                break;
            case SeedMode.StreamMixed:
                AddMixedParts(step, metadata, requests, sources);
                break;
            default:
                throw new ArgumentException($"{step.Describe()} is not a stream write step.", nameof(step));
        }

        return new WritePlan<StreamV1.WriteRequest>(step, requests, sources);
    }

    // loadData: element i of the call gets id "<counter>" and time base + counter × interval, families [data, searchable].
    private void AddCounterElements(
        SeedStep step, string file, Metadata metadata, long baseOffsetMs, ref int counter,
        List<StreamV1.WriteRequest> requests, List<string> sources)
    {
        IReadOnlyList<IMessage> families = ReadArray(file, TagFamilyForWrite.Descriptor);
        for (int i = 0; i < families.Count; i++)
        {
            int elementId = counter++;
            requests.Add(new StreamV1.WriteRequest
            {
                Metadata = metadata.Clone(),
                Element = SchemaOrderElement(
                    elementId.ToString(CultureInfo.InvariantCulture),
                    baseOffsetMs + (elementId * step.IntervalMs),
                    (TagFamilyForWrite)families[i]),
                MessageId = _messageIds.Next(),
            });
            sources.Add($"{file}[{i}]");
        }
    }

    // loadDataWithElementIDMap: the file's ids (read as integers and written back, like strconv.Atoi/Itoa), time
    // B + baseOffset + index × interval.
    private void AddExplicitIdElements(SeedStep step, Metadata metadata, List<StreamV1.WriteRequest> requests, List<string> sources)
    {
        string file = step.File!;
        JsonArray items = JsonNode.Parse(File.ReadAllText(FullPath(file))) as JsonArray
            ?? throw new FormatException($"{file}: expected a JSON array of {{element_id, tags}}.");
        FixtureSpec spec = new(file, FixtureFormat.Message, TagFamilyForWrite.Descriptor, "stream");
        for (int i = 0; i < items.Count; i++)
        {
            JsonObject item = (JsonObject)(items[i]?.DeepClone() ?? throw new FormatException($"{file}[{i}] is null."));
            string idText = item["element_id"]?.GetValue<string>() ?? throw new FormatException($"{file}[{i}]: \"element_id\" (a string) is required.");
            if (!int.TryParse(idText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id))
            {
                throw new FormatException($"{file}[{i}]: element_id '{idText}' is not an integer (upstream parses it with strconv.Atoi).");
            }

            item.Remove("element_id");
            TagFamilyForWrite searchable = (TagFamilyForWrite)FixtureReader.Parse(item.ToJsonString(), spec);
            requests.Add(new StreamV1.WriteRequest
            {
                Metadata = metadata.Clone(),
                Element = SchemaOrderElement(id.ToString(CultureInfo.InvariantCulture), step.BaseOffsetMs + (i * step.IntervalMs), searchable),
                MessageId = _messageIds.Next(),
            });
            sources.Add($"{file}[{i}]");
        }
    }

    // WriteMixed: one stream; the element counter carries on across parts, and each part's base moves on by the
    // number of elements the previous parts had times the interval. loadDataWithSpec then adds counter × interval
    // again, so time advances twice (an upstream quirk the wants depend on).
    private void AddMixedParts(SeedStep step, SchemaMetadataResolver resolve, List<StreamV1.WriteRequest> requests, List<string> sources)
    {
        int counter = 0;
        long partBaseOffsetMs = step.BaseOffsetMs;
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

            int before = requests.Count;
            if (!part.IsSpec)
            {
                AddCounterElements(step, part.File, current, partBaseOffsetMs, ref counter, requests, sources);
            }
            else
            {
                AddSpecElements(step, part, current, partBaseOffsetMs, ref counter, requests, sources);
            }

            partBaseOffsetMs += (requests.Count - before) * step.IntervalMs;
        }
    }

    // loadDataWithSpec: full ElementValue entries; id and time are overwritten from the counter; the part's first
    // request carries the tag-family spec, and the metadata only when the part names a schema.
    private void AddSpecElements(
        SeedStep step, SeedPart part, Metadata metadata, long partBaseOffsetMs, ref int counter,
        List<StreamV1.WriteRequest> requests, List<string> sources)
    {
        IReadOnlyList<IMessage> elements = ReadArray(part.File, StreamV1.ElementValue.Descriptor);
        for (int i = 0; i < elements.Count; i++)
        {
            int elementId = counter++;
            StreamV1.ElementValue element = (StreamV1.ElementValue)elements[i];
            element.ElementId = elementId.ToString(CultureInfo.InvariantCulture);
            element.Timestamp = _baseTime.At(partBaseOffsetMs + (elementId * step.IntervalMs));
            StreamV1.WriteRequest request = new() { Element = element, MessageId = _messageIds.Next() };
            if (i == 0)
            {
                request.TagFamilySpec.Add(part.TagFamilySpec.Select(s => s.Clone()));
                if (part.MetadataOnFirstRequest)
                {
                    request.Metadata = metadata.Clone();
                }
            }

            requests.Add(request);
            sources.Add($"{part.File}[{i}]");
        }
    }

    private StreamV1.ElementValue SchemaOrderElement(string elementId, long offsetMs, TagFamilyForWrite searchable)
    {
        StreamV1.ElementValue element = new() { ElementId = elementId, Timestamp = _baseTime.At(offsetMs) };
        element.TagFamilies.Add(new TagFamilyForWrite { Tags = { new TagValue { BinaryData = BinaryData } } });
        element.TagFamilies.Add(searchable);
        return element;
    }

    private IReadOnlyList<IMessage> ReadArray(string file, MessageDescriptor descriptor) =>
        FixtureReader.Read(File.ReadAllText(FullPath(file)), new FixtureSpec(file, FixtureFormat.MessageArray, descriptor, "stream"));

    private string FullPath(string file) => Path.Combine(_root, file.Replace('/', Path.DirectorySeparatorChar));
}
