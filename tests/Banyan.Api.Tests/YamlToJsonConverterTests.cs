using System.Text.Json;

namespace Banyan.Api.Tests;

public sealed class YamlToJsonConverterTests
{
    private static JsonElement Convert(string yaml) => JsonDocument.Parse(YamlToJsonConverter.Convert(yaml)).RootElement.Clone();

    [Fact]
    public void Quoted_scalars_stay_strings_and_plain_ones_are_typed()
    {
        JsonElement root = Convert("""
            # license header comments are ignored
            quotedInt: "1"
            singleQuoted: '2'
            plainInt: 3
            negative: -4
            plainFloat: 450.875
            yes: true
            no: False
            word: svc_1
            nothing: null
            tilde: ~
            empty:
            """);

        Assert.Equal(JsonValueKind.String, root.GetProperty("quotedInt").ValueKind);
        Assert.Equal("1", root.GetProperty("quotedInt").GetString());
        Assert.Equal("2", root.GetProperty("singleQuoted").GetString());
        Assert.Equal(3, root.GetProperty("plainInt").GetInt64());
        Assert.Equal(-4, root.GetProperty("negative").GetInt64());
        Assert.Equal(450.875, root.GetProperty("plainFloat").GetDouble());
        Assert.True(root.GetProperty("yes").GetBoolean());
        Assert.False(root.GetProperty("no").GetBoolean());
        Assert.Equal("svc_1", root.GetProperty("word").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nothing").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tilde").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("empty").ValueKind);
    }

    [Fact]
    public void Keys_are_always_strings()
    {
        JsonElement root = Convert("null: null\n1: one\ntrue: x\n");

        Assert.Equal(JsonValueKind.Null, root.GetProperty("null").ValueKind);
        Assert.Equal("one", root.GetProperty("1").GetString());
        Assert.Equal("x", root.GetProperty("true").GetString());
    }

    [Fact]
    public void Integers_beyond_double_precision_keep_every_digit_as_strings()
    {
        JsonElement root = Convert("exact: 9007199254740992\nbig: 9007199254740993\nsid: 18446744073709551615\nhex: 0x1F\noctal: 0o17\n");

        Assert.Equal(JsonValueKind.Number, root.GetProperty("exact").ValueKind);
        Assert.Equal("9007199254740993", root.GetProperty("big").GetString());
        Assert.Equal("18446744073709551615", root.GetProperty("sid").GetString());
        Assert.Equal(31, root.GetProperty("hex").GetInt64());
        Assert.Equal(15, root.GetProperty("octal").GetInt64());
    }

    [Fact]
    public void Sequences_and_nested_mappings_convert_in_order()
    {
        JsonElement root = Convert("""
            groups: ["sw_metric", other]
            tagFamilies:
            - name: default
              tags: [id, 7]
            """);

        Assert.Equal(["sw_metric", "other"], root.GetProperty("groups").EnumerateArray().Select(e => e.GetString()));
        JsonElement family = root.GetProperty("tagFamilies")[0];
        Assert.Equal("default", family.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, family.GetProperty("tags")[0].ValueKind);
        Assert.Equal(JsonValueKind.Number, family.GetProperty("tags")[1].ValueKind);
    }

    [Fact]
    public void Special_floats_become_protojson_strings_and_block_scalars_stay_text()
    {
        JsonElement root = Convert("inf: .inf\nninf: -.inf\nnan: .nan\nblock: |\n  12\n");

        Assert.Equal("Infinity", root.GetProperty("inf").GetString());
        Assert.Equal("-Infinity", root.GetProperty("ninf").GetString());
        Assert.Equal("NaN", root.GetProperty("nan").GetString());
        Assert.Equal("12\n", root.GetProperty("block").GetString());
    }

    [Fact]
    public void A_document_of_only_comments_is_an_empty_object()
    {
        Assert.Equal("{}", YamlToJsonConverter.Convert("# only a license header\n"));
    }

    [Fact]
    public void Multiple_documents_are_rejected()
    {
        Assert.Throws<FormatException>(() => YamlToJsonConverter.Convert("a: 1\n---\nb: 2\n"));
    }
}
