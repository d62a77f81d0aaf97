using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The index configuration of every subject of a shard, kept in the shard (<c>idx/subjects.bin</c>,
/// layout in <c>docs/format/subjects.md</c>) so that opening the shard replays its WAL with the rules
/// in force, whoever opens it. Written whole with the durability kit (atomic write, file header,
/// checksum footer) before a configuration change takes effect.
/// <code>
/// magic "BYSJ" | version u32 = 1 | varint subject count |
///   per subject: u8 kind | string subject | string folder |
///                varint entity count, string × count |
///                varint rule count, per rule: string tag, u8 has-family, [string family], u8 analyzer, u8 indexed-only |
/// CRC-32C of all preceding bytes u32
/// </code>
/// </summary>
public static class SubjectConfigFile
{
    /// <summary>The file name, in the shard's <c>idx/</c> folder.</summary>
    public const string FileName = "subjects.bin";

    /// <summary>"BYSJ" as the header's u32.</summary>
    public static readonly uint Magic = FileHeader.Magic("BYSJ");

    /// <summary>The only format version written and read.</summary>
    public const uint Version = 1;

    /// <summary>Most subjects one shard may hold; more is corruption.</summary>
    public const int MaxSubjects = 1 << 16;

    private const int MaxNames = 4096;

    /// <summary>Encodes the subjects with their index folders (relative to <c>idx/</c>; empty for <c>idx/</c> itself).</summary>
    public static byte[] Encode(IReadOnlyList<(ShardIndexConfig Config, string Folder)> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        using var output = new ByteBuffer(256);
        FileHeader.Write(output, Magic, Version);
        output.WriteVarUInt64((ulong)subjects.Count);
        foreach ((ShardIndexConfig config, string folder) in subjects)
        {
            output.WriteByte((byte)config.Kind);
            output.WriteString(config.Subject);
            output.WriteString(folder);
            output.WriteVarUInt64((ulong)config.EntityTagNames.Count);
            foreach (string name in config.EntityTagNames)
            {
                output.WriteString(name);
            }

            output.WriteVarUInt64((ulong)config.Rules.Count);
            foreach (ShardIndexRule rule in config.Rules)
            {
                output.WriteString(rule.Tag);
                output.WriteByte(rule.Family is null ? (byte)0 : (byte)1);
                if (rule.Family is not null)
                {
                    output.WriteString(rule.Family);
                }

                output.WriteByte((byte)rule.Analyzer);
                output.WriteByte(rule.IndexedOnly ? (byte)1 : (byte)0);
            }
        }

        ChecksumFooter.Append(output);
        return output.ToArray();
    }

    /// <summary>Decodes and checks the file's bytes.</summary>
    /// <exception cref="StorageCorruptionException">Any check fails; names <paramref name="path"/> and the offset.</exception>
    public static List<(ShardIndexConfig Config, string Folder)> Decode(string path, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> body = ChecksumFooter.Verify(bytes, path);
        FileHeader.Read(bytes, path, Magic, Version, Version);
        var reader = new SpanReader(body, path, 0);
        reader.ReadSpan(FileHeader.Size);
        int count = reader.ReadLength(MaxSubjects, "subject count");
        var subjects = new List<(ShardIndexConfig, string)>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int s = 0; s < count; s++)
        {
            long at = reader.AbsoluteOffset;
            byte kind = reader.ReadByte();
            if (kind is not ((byte)DataKind.Measure or (byte)DataKind.Stream))
            {
                throw new StorageCorruptionException(path, at, $"unknown kind {kind}");
            }

            string subject = reader.ReadString(WriteBatch.MaxSubjectBytes);
            string folder = reader.ReadString(64);
            if (folder.Length != 0 && !HexFileName.TryParse(folder, string.Empty, out ulong _))
            {
                throw new StorageCorruptionException(path, at, $"subject '{subject}': index folder '{folder}' is neither empty nor 16 hex digits");
            }

            int entityCount = reader.ReadLength(MaxNames, "entity tag count");
            string[] entity = new string[entityCount];
            for (int e = 0; e < entityCount; e++)
            {
                entity[e] = reader.ReadString(4096);
            }

            int ruleCount = reader.ReadLength(MaxNames, "rule count");
            var rules = new ShardIndexRule[ruleCount];
            for (int r = 0; r < ruleCount; r++)
            {
                string tag = reader.ReadString(4096);
                long flagAt = reader.AbsoluteOffset;
                byte hasFamily = reader.ReadByte();
                if (hasFamily > 1)
                {
                    throw new StorageCorruptionException(path, flagAt, $"has-family flag {hasFamily}");
                }

                string? family = hasFamily == 1 ? reader.ReadString(4096) : null;
                long analyzerAt = reader.AbsoluteOffset;
                byte analyzer = reader.ReadByte();
                byte indexedOnly = reader.ReadByte();
                if (!Enum.IsDefined((AnalyzerKind)analyzer) || indexedOnly > 1)
                {
                    throw new StorageCorruptionException(path, analyzerAt, $"analyzer {analyzer} or indexed-only flag {indexedOnly} out of range");
                }

                rules[r] = new ShardIndexRule(tag, family, (AnalyzerKind)analyzer, indexedOnly == 1);
            }

            ShardIndexConfig config;
            try
            {
                config = new ShardIndexConfig((DataKind)kind, subject, entity, rules);
            }
            catch (ArgumentException e)
            {
                throw new StorageCorruptionException(path, at, $"subject {s}: {e.Message}", e);
            }

            if (!seen.Add(subject))
            {
                throw new StorageCorruptionException(path, at, $"subject '{subject}' is listed twice");
            }

            subjects.Add((config, folder));
        }

        reader.EnsureEnd();
        return subjects;
    }
}
