using System.Text.Json;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Parts;

/// <summary>The summary of a part, stored as <c>metadata.json</c> (see docs/format/metadata.json.md).</summary>
public sealed record PartMetadata
{
    /// <summary>Format version of the part's files.</summary>
    public uint FormatVersion { get; init; } = PartFileMagic.FormatVersion;

    /// <summary>Measure or stream.</summary>
    public DataKind Kind { get; init; }

    /// <summary>Number of rows.</summary>
    public long RowCount { get; init; }

    /// <summary>Number of blocks.</summary>
    public long BlockCount { get; init; }

    /// <summary>Number of distinct series.</summary>
    public long SeriesCount { get; init; }

    /// <summary>Smallest timestamp (nanoseconds); 0 for an empty part.</summary>
    public long MinTimestamp { get; init; }

    /// <summary>Largest timestamp (nanoseconds); 0 for an empty part.</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>Size of the rows before encoding (estimate used for block limits).</summary>
    public long UncompressedBytes { get; init; }

    /// <summary>Total size of the part's files, metadata.json excluded.</summary>
    public long CompressedBytes { get; init; }

    /// <summary>Tag families with a .tf/.tfm file pair, in ordinal order.</summary>
    public IReadOnlyList<string> TagFamilies { get; init; } = [];

    /// <summary>Serializes to the metadata.json bytes.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("formatVersion", FormatVersion);
            writer.WriteString("kind", Kind == DataKind.Measure ? "measure" : "stream");
            writer.WriteNumber("rowCount", RowCount);
            writer.WriteNumber("blockCount", BlockCount);
            writer.WriteNumber("seriesCount", SeriesCount);
            writer.WriteNumber("minTimestamp", MinTimestamp);
            writer.WriteNumber("maxTimestamp", MaxTimestamp);
            writer.WriteNumber("uncompressedBytes", UncompressedBytes);
            writer.WriteNumber("compressedBytes", CompressedBytes);
            writer.WriteStartArray("tagFamilies");
            foreach (string family in TagFamilies)
            {
                writer.WriteStringValue(family);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Parses metadata.json bytes read from <paramref name="path"/>.</summary>
    /// <exception cref="StorageCorruptionException">Not valid JSON, a missing or out-of-range member.</exception>
    public static PartMetadata Parse(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            uint version = root.GetProperty("formatVersion").GetUInt32();
            if (version < PartFileMagic.OldestReadableVersion || version > PartFileMagic.FormatVersion)
            {
                throw new StorageCorruptionException(path, 0, $"format version {version}, this build reads {PartFileMagic.OldestReadableVersion} to {PartFileMagic.FormatVersion}");
            }

            string? kindText = root.GetProperty("kind").GetString();
            DataKind kind = kindText switch
            {
                "measure" => DataKind.Measure,
                "stream" => DataKind.Stream,
                _ => throw new StorageCorruptionException(path, 0, $"unknown part kind '{kindText}'"),
            };

            var families = new List<string>();
            foreach (JsonElement element in root.GetProperty("tagFamilies").EnumerateArray())
            {
                string family = element.GetString() ?? throw new StorageCorruptionException(path, 0, "null tag family name");
                try
                {
                    TagFamilyName.Validate(family);
                }
                catch (ArgumentException e)
                {
                    throw new StorageCorruptionException(path, 0, e.Message);
                }

                families.Add(family);
            }

            var metadata = new PartMetadata
            {
                FormatVersion = version,
                Kind = kind,
                RowCount = root.GetProperty("rowCount").GetInt64(),
                BlockCount = root.GetProperty("blockCount").GetInt64(),
                SeriesCount = root.GetProperty("seriesCount").GetInt64(),
                MinTimestamp = root.GetProperty("minTimestamp").GetInt64(),
                MaxTimestamp = root.GetProperty("maxTimestamp").GetInt64(),
                UncompressedBytes = root.GetProperty("uncompressedBytes").GetInt64(),
                CompressedBytes = root.GetProperty("compressedBytes").GetInt64(),
                TagFamilies = families,
            };
            if (metadata.RowCount < 0 || metadata.BlockCount < 0 || metadata.SeriesCount < 0 || metadata.BlockCount > metadata.RowCount
                || metadata.SeriesCount > metadata.BlockCount || metadata.MinTimestamp > metadata.MaxTimestamp)
            {
                throw new StorageCorruptionException(path, 0, "counts or time range out of range");
            }

            return metadata;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new StorageCorruptionException(path, 0, "not a valid part metadata document: " + e.Message, e);
        }
    }
}
