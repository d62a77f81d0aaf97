using Banyan.Api.Model.V1;
using Banyan.Grains.Queries;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using EngineTagValue = Banyan.Storage.Values.TagValue;
using EngineTagValueKind = Banyan.Storage.Values.TagValueKind;

namespace Banyan.Grains.TopN;

/// <summary>How a TopN item's entity and value become BanyanDB's answer, and the key answer items of one entity merge by (a shard merges by the entity's bytes, <see cref="TopNShardMerge"/>).</summary>
internal static class TopNEntity
{
    /// <summary>The merge key of an entity's answer tags.</summary>
    public static string KeyOf(IEnumerable<Tag> entity) => string.Join('|', entity.Select(t => Convert.ToBase64String((t.Value ?? new TagValue()).ToByteArray())));

    /// <summary>
    /// The entity tags of an answer: <paramref name="names"/> with the values. An empty string comes back as null, as
    /// BanyanDB answers it (its result encoding does not tell the two apart).
    /// </summary>
    public static IEnumerable<Tag> ToTags(IReadOnlyList<string> names, IReadOnlyList<EngineTagValue> values)
    {
        for (int i = 0; i < names.Count && i < values.Count; i++)
        {
            yield return new Tag { Key = names[i], Value = ToTag(values[i]) };
        }
    }

    /// <summary>The answer value of <paramref name="value"/>.</summary>
    public static FieldValue ToField(TopNRank value) => value.IsFloat
        ? new FieldValue { Float = new Banyan.Api.Model.V1.Float { Value = value.Float } }
        : new FieldValue { Int = new Int { Value = value.Int } };

    /// <summary>The rank of an answer value (INT or FLOAT; anything else ranks as INT 0).</summary>
    public static TopNRank RankOf(FieldValue? value) => value?.ValueCase switch
    {
        FieldValue.ValueOneofCase.Float => TopNRank.OfFloat(value.Float.Value),
        FieldValue.ValueOneofCase.Int => TopNRank.OfInt(value.Int.Value),
        _ => TopNRank.OfInt(0),
    };

    private static TagValue ToTag(EngineTagValue value) => value.Kind switch
    {
        EngineTagValueKind.Str when !string.IsNullOrEmpty(value.Text) => new TagValue { Str = new Str { Value = value.Text } },
        EngineTagValueKind.Number => new TagValue { Int = new Int { Value = value.Number } },
        EngineTagValueKind.Binary => new TagValue { BinaryData = ByteString.CopyFrom(value.Bytes ?? []) },
        EngineTagValueKind.StrArray => new TagValue { StrArray = new StrArray { Value = { value.Strings } } },
        EngineTagValueKind.IntArray => new TagValue { IntArray = new IntArray { Value = { value.Numbers } } },
        EngineTagValueKind.Timestamp => new TagValue { Timestamp = ResultValues.ToTimestamp(value.Number) },
        _ => new TagValue { Null = NullValue.NullValue },
    };
}
