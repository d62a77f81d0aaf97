using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>The shard's subjects file (<c>idx/subjects.bin</c>, docs/format/subjects.md): pinned bytes, round trips, damage.</summary>
public sealed class SubjectConfigFileTests
{
    private static readonly ShardIndexConfig s_config = new(DataKind.Measure, "m", ["h"],
        [new ShardIndexRule("t", Analyzer: AnalyzerKind.Keyword), new ShardIndexRule("u", "f", AnalyzerKind.None, IndexedOnly: true)]);

    [Fact]
    public void Pinned_bytes_of_one_subject()
    {
        byte[] bytes = SubjectConfigFile.Encode([(s_config, string.Empty)]);

        // header "BYSJ" v1 | 1 subject | kind 1, "m", folder "", entity ["h"], 2 rules:
        // "t" no family, keyword (1), not indexed-only | "u" family "f", none (0), indexed-only | CRC-32C.
        string body = "4259534A" + "01000000" + "01" + "01" + "016D" + "00" + "01" + "0168" + "02"
            + "0174" + "00" + "01" + "00"
            + "0175" + "01" + "0166" + "00" + "01";
        uint crc = Banyan.Storage.Checksums.Crc32C.Compute(Convert.FromHexString(body));
        Assert.Equal(body + Convert.ToHexString(BitConverter.GetBytes(crc)), Convert.ToHexString(bytes));
        (ShardIndexConfig config, string folder) = Assert.Single(SubjectConfigFile.Decode("subjects.bin", bytes));
        Assert.True(config.SameAs(s_config));
        Assert.Equal(string.Empty, folder);
    }

    [Fact]
    public void Many_subjects_round_trip()
    {
        var subjects = new List<(ShardIndexConfig, string)>();
        for (int i = 0; i < 20; i++)
        {
            var rules = Enumerable.Range(0, i % 4).Select(r => new ShardIndexRule("tag" + r, r % 2 == 0 ? null : "fam", (AnalyzerKind)(r % 5), r == 3)).ToList();
            subjects.Add((new ShardIndexConfig(DataKind.Stream, "stream_" + i, ["a", "b" + i], rules), i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        }

        List<(ShardIndexConfig Config, string Folder)> back = SubjectConfigFile.Decode("x", SubjectConfigFile.Encode(subjects));
        Assert.Equal(subjects.Count, back.Count);
        for (int i = 0; i < subjects.Count; i++)
        {
            Assert.True(back[i].Config.SameAs(subjects[i].Item1), $"subject {i}");
            Assert.Equal(subjects[i].Item2, back[i].Folder);
        }
    }

    [Fact]
    public void Damaged_bytes_only_raise_the_corruption_exception_naming_the_file()
    {
        byte[] good = SubjectConfigFile.Encode([(s_config, "00000000000000ab"), (new ShardIndexConfig(DataKind.Measure, "n", ["x", "y"], []), "00000000000000cd")]);
        var random = new Random(12);
        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            if (trial % 2 == 0)
            {
                bad = bad[..random.Next(bad.Length)];
            }
            else
            {
                bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
            }

            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => SubjectConfigFile.Decode("/shard/idx/subjects.bin", bad));
            Assert.Equal("/shard/idx/subjects.bin", e.FilePath);
        }

        // A well-formed file saying something impossible is corruption too (checksum recomputed).
        byte[] twice = SubjectConfigFile.Encode([(s_config, "00000000000000ab"), (s_config, "00000000000000cd")]);
        Assert.Contains("listed twice", Assert.Throws<StorageCorruptionException>(() => SubjectConfigFile.Decode("f", twice)).Message, StringComparison.Ordinal);
        byte[] badFolder = SubjectConfigFile.Encode([(s_config, "../escape")]);
        Assert.Contains("16 hex digits", Assert.Throws<StorageCorruptionException>(() => SubjectConfigFile.Decode("f", badFolder)).Message, StringComparison.Ordinal);
    }
}
