using System.Text.Json.Nodes;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Banyan.Cli.Time;
using Banyan.Cli.Write;

namespace Banyan.Cli.Tests;

/// <summary>The tool's parsers without a server: times, YAML to JSON and back, CSV records and columns.</summary>
public sealed class ParsingTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("-30m", "2026-12-02T09:30:00Z")]
    [InlineData("-1h30m", "2026-12-02T08:30:00Z")]
    [InlineData("2d", "2026-12-04T10:00:00Z")]
    [InlineData("now", "2026-12-02T10:00:00Z")]
    [InlineData("2026-11-09T12:34:00Z", "2026-11-09T12:34:00Z")]
    [InlineData("2026-11-09T14:34:00+02:00", "2026-11-09T12:34:00Z")]
    public void Times_are_absolute_or_relative_to_now(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimeText.ParseTime(text, s_now, "--start"));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("30")]
    [InlineData("2026-11-09")]
    public void Other_times_are_refused_with_the_option_named(string text)
    {
        CliException e = Assert.Throws<CliException>(() => TimeText.ParseTime(text, s_now, "--end"));
        Assert.StartsWith($"--end '{text}'", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public void Yaml_scalars_become_the_json_values_bydbctl_gives_them()
    {
        InputDocument document = DocumentFiles.Parse("""
            a: 12
            b: "12"
            c: true
            d: ~
            e: 1m
            f: -3.5e2
            g: 2026-12-02T10:00:00Z
            h: [x, 'y']
            """, "t.yaml", isJsonByName: false).Single();
        Assert.Equal("""{"a":12,"b":"12","c":true,"d":null,"e":"1m","f":-3.5e2,"g":"2026-12-02T10:00:00Z","h":["x","y"]}""", document.Node!.ToJsonString());
        Assert.Equal(6, document.LineOf("-3.5e2"));
    }

    [Fact]
    public void Json_to_yaml_reads_back_to_the_same_json()
    {
        JsonNode original = JsonNode.Parse("""{"metadata":{"group":"g","modRevision":"3","id":0},"flag":false,"empty":"","list":[],"obj":{},"s":"true","n":null,"t":"a: b"}""")!;
        using StringWriter yaml = new();
        JsonToYaml.Write(original, yaml);
        InputDocument back = DocumentFiles.Parse(yaml.ToString(), "t.yaml", isJsonByName: false).Single();
        Assert.Equal(original.ToJsonString(), back.Node!.ToJsonString());
    }

    [Fact]
    public void Several_json_values_and_arrays_are_documents_with_their_lines()
    {
        IReadOnlyList<InputDocument> documents = DocumentFiles.Parse("{\"a\":1}\n[\n {\"b\":2},\n {\"c\":3}\n]\n", "t.json", isJsonByName: true);
        Assert.Equal([1L, 3L, 4L], documents.Select(d => d.Line));
    }

    [Fact]
    public void Csv_records_keep_quoted_commas_quotes_and_newlines_with_their_first_line()
    {
        CsvRecordReader reader = new(new StringReader("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\n"), "t.csv");
        Assert.Equal("1: a|b", Unpack(reader.Next()));
        Assert.Equal("2: x, y|say \"hi\"", Unpack(reader.Next()));
        Assert.Equal("4: two\nlines|z", Unpack(reader.Next()));
        Assert.Null(reader.Next());

        CsvRecordReader open = new(new StringReader("a\n\"never closed\n"), "t.csv");
        open.Next();
        Assert.Equal("t.csv:2: a quoted field is not closed before the end of the file", Assert.Throws<InputFileException>(() => open.Next()).Message);

        static string Unpack((List<string> Fields, long Line)? record) => $"{record!.Value.Line}: {string.Join('|', record.Value.Fields)}";
    }

    [Fact]
    public void Csv_headers_map_onto_the_schema_or_say_what_is_wrong()
    {
        Banyan.Api.Database.V1.Measure measure = new()
        {
            TagFamilies =
            {
                new Banyan.Api.Database.V1.TagFamilySpec { Name = "default", Tags = { new Banyan.Api.Database.V1.TagSpec { Name = "id", Type = Banyan.Api.Database.V1.TagType.String } } },
                new Banyan.Api.Database.V1.TagFamilySpec { Name = "other", Tags = { new Banyan.Api.Database.V1.TagSpec { Name = "id", Type = Banyan.Api.Database.V1.TagType.Int } } },
            },
            Fields = { new Banyan.Api.Database.V1.FieldSpec { Name = "total", FieldType = Banyan.Api.Database.V1.FieldType.Int } },
        };
        IReadOnlyList<CsvColumn> columns = CsvColumns.Map(["timestamp", "other.id", "total", "version"], measure.TagFamilies, measure.Fields, WriteTarget.Measure, "measure g/m", "t.csv", 1);
        Assert.Equal([CsvColumnRole.Timestamp, CsvColumnRole.Tag, CsvColumnRole.Field, CsvColumnRole.Version], columns.Select(c => c.Role));

        InputFileException ambiguous = Assert.Throws<InputFileException>(() => CsvColumns.Map(["timestamp", "id"], measure.TagFamilies, measure.Fields, WriteTarget.Measure, "measure g/m", "t.csv", 1));
        Assert.Equal("t.csv:1: header column 2 'id': tag 'id' is in more than one family of measure g/m; write 'default.id' or 'other.id'", ambiguous.Message);
        InputFileException unknown = Assert.Throws<InputFileException>(() => CsvColumns.Map(["timestamp", "nope"], measure.TagFamilies, measure.Fields, WriteTarget.Measure, "measure g/m", "t.csv", 1));
        Assert.Contains("'nope': names no tag or field of measure g/m", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("t.csv:1: the header has no 'timestamp' column", Assert.Throws<InputFileException>(() => CsvColumns.Map(["total"], measure.TagFamilies, measure.Fields, WriteTarget.Measure, "measure g/m", "t.csv", 1)).Message);
    }
}
