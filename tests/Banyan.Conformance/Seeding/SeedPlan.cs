using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// <c>seed.json</c>: the schema load order and the write schedule of upstream's integration suite
/// (<c>test/cases/init.go</c> and the <c>SeedAll</c>/<c>Write</c> helpers), read strictly.
/// </summary>
public sealed partial class SeedPlan
{
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private SeedPlan(IReadOnlyList<SchemaLoadEntry> schemaLoadOrder, IReadOnlyList<SeedStep> steps)
    {
        SchemaLoadOrder = schemaLoadOrder;
        Steps = steps;
    }

    /// <summary>The catalogs' schemas in upstream load order.</summary>
    public IReadOnlyList<SchemaLoadEntry> SchemaLoadOrder { get; }

    /// <summary>Every step of the write schedule, pauses included, in upstream order.</summary>
    public IReadOnlyList<SeedStep> Steps { get; }

    /// <summary>Reads <c>seed.json</c> under <paramref name="root"/>.</summary>
    public static SeedPlan Load(string root)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "seed.json")));
        List<SchemaLoadEntry> order = [];
        foreach (JsonElement entry in document.RootElement.GetProperty("schemaLoadOrder").EnumerateArray())
        {
            // "pkg/test/stream/testdata/group.json (JSON array of Group)": the path is the first word.
            string groups = entry.GetProperty("groups").GetString()!.Split(' ', 2)[0];
            order.Add(new SchemaLoadEntry(
                entry.GetProperty("catalog").GetString()!,
                groups,
                [.. entry.GetProperty("then").EnumerateArray().Select(t => t.GetString()!)]));
        }

        List<SeedStep> steps = [];
        foreach (JsonElement step in document.RootElement.GetProperty("steps").EnumerateArray())
        {
            steps.Add(ReadStep(steps.Count, step));
        }

        return new SeedPlan(order, steps);
    }

    private static SeedStep ReadStep(int index, JsonElement step)
    {
        if (step.TryGetProperty("wait", out JsonElement wait))
        {
            // "upstream sleeps 2 s here"
            Match seconds = WaitPattern().Match(wait.GetString()!);
            if (!seconds.Success)
            {
                throw new FormatException($"seed.json step {index}: cannot read the pause '{wait.GetString()}'.");
            }

            return new SeedStep { Index = index, WaitSeconds = double.Parse(seconds.Groups[1].Value, CultureInfo.InvariantCulture) };
        }

        string modeName = step.GetProperty("mode").GetString()!;
        SeedMode mode = modeName switch
        {
            "streamCounter" => SeedMode.StreamCounter,
            "streamExplicitId" => SeedMode.StreamExplicitId,
            "streamMixed" => SeedMode.StreamMixed,
            "measureTrailing" => SeedMode.MeasureTrailing,
            "measureMixed" => SeedMode.MeasureMixed,
            "traceVersioned" => SeedMode.TraceVersioned,
            "traceMixed" => SeedMode.TraceMixed,
            "propertyApply" => SeedMode.PropertyApply,
            _ => throw new FormatException($"seed.json step {index}: unknown mode '{modeName}'."),
        };

        List<SeedPart> parts = [];
        if (step.TryGetProperty("parts", out JsonElement partList))
        {
            foreach (JsonElement part in partList.EnumerateArray())
            {
                parts.Add(ReadPart(index, part));
            }
        }

        return new SeedStep
        {
            Index = index,
            Catalog = step.GetProperty("catalog").GetString(),
            Mode = mode,
            Name = OptionalString(step, "name"),
            Group = OptionalString(step, "group"),
            File = OptionalString(step, "file"),
            BaseOffsetMs = step.TryGetProperty("baseOffsetMs", out JsonElement offset) ? offset.GetInt64() : 0,
            IntervalMs = step.TryGetProperty("intervalMs", out JsonElement interval) ? interval.GetInt64() : 0,
            Parts = parts,
            Note = OptionalString(step, "note"),
        };
    }

    private static SeedPart ReadPart(int index, JsonElement part)
    {
        string kind = part.GetProperty("kind").GetString()!;
        if (kind is not ("schemaOrder" or "spec"))
        {
            throw new FormatException($"seed.json step {index}: unknown part kind '{kind}'.");
        }

        List<StreamV1.TagFamilySpec> tagFamilySpec = [];
        if (part.TryGetProperty("tagFamilySpec", out JsonElement families))
        {
            tagFamilySpec.AddRange(families.EnumerateArray().Select(f => s_parser.Parse<StreamV1.TagFamilySpec>(f.GetRawText())));
        }

        return new SeedPart
        {
            File = part.GetProperty("file").GetString()!,
            IsSpec = kind == "spec",
            Name = OptionalString(part, "name"),
            Group = OptionalString(part, "group"),
            MetadataOnFirstRequest = part.TryGetProperty("metadataOnFirstRequest", out JsonElement flag) && flag.GetBoolean(),
            TagFamilySpec = tagFamilySpec,
            DataPointSpec = part.TryGetProperty("dataPointSpec", out JsonElement spec)
                ? s_parser.Parse<MeasureV1.DataPointSpec>(spec.GetRawText())
                : null,
        };
    }

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) ? value.GetString() : null;

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)\s*s\b")]
    private static partial Regex WaitPattern();
}
