using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Silo.Tests.Infrastructure;

/// <summary>
/// Random measure query answers for the tests of the silo's own encoders of them (JSON for the gateway, protobuf for
/// gRPC), which compare against protobuf's: every kind of tag and field value, values at their defaults and extremes, and
/// strings with what JSON must escape and what UTF-8 needs several bytes for.
/// </summary>
internal static class RandomMeasureAnswers
{
    /// <summary>An answer of 0 to 5 data points, each with random tag families and fields of every value kind, and 0 to 2 group statuses.</summary>
    public static MeasureV1.QueryResponse Next(Random random)
    {
        var response = new MeasureV1.QueryResponse();
        for (int p = random.Next(0, 6); p > 0; p--)
        {
            var point = new MeasureV1.DataPoint
            {
                Sid = random.Next(3) == 0 ? 0 : (ulong)random.NextInt64() * 2,
                Version = random.Next(3) == 0 ? 0 : random.NextInt64(long.MinValue, long.MaxValue),
            };
            if (random.Next(4) != 0)
            {
                point.Timestamp = new Timestamp { Seconds = random.NextInt64(0, 4_102_444_800), Nanos = Nanos(random) };
            }

            for (int f = random.Next(0, 3); f > 0; f--)
            {
                var family = new TagFamily { Name = Text(random) };
                for (int t = random.Next(0, 4); t > 0; t--)
                {
                    family.Tags.Add(new Tag { Key = Text(random), Value = random.Next(8) == 0 ? null : RandomTag(random) });
                }

                point.TagFamilies.Add(family);
            }

            for (int f = random.Next(0, 3); f > 0; f--)
            {
                point.Fields.Add(new MeasureV1.DataPoint.Types.Field { Name = Text(random), Value = random.Next(8) == 0 ? null : RandomField(random) });
            }

            response.DataPoints.Add(point);
        }

        for (int g = random.Next(0, 3); g > 0; g--)
        {
            response.GroupStatuses[Text(random)] = (Status)random.Next(0, 4);
        }

        return response;
    }

    private static TagValue RandomTag(Random random) => random.Next(8) switch
    {
        0 => new TagValue { Null = NullValue.NullValue },
        1 => new TagValue { Str = new Str { Value = Text(random) } },
        2 => new TagValue { StrArray = new StrArray { Value = { Text(random), Text(random) } } },
        3 => new TagValue { Int = new Int { Value = random.NextInt64(long.MinValue, long.MaxValue) } },
        4 => new TagValue { IntArray = new IntArray { Value = { random.NextInt64(), -random.NextInt64(), 0 } } },
        5 => new TagValue { BinaryData = ByteString.CopyFrom([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => (byte)random.Next(256))]) },
        6 => new TagValue { Timestamp = new Timestamp { Seconds = random.NextInt64(0, 4_102_444_800), Nanos = Nanos(random) } },
        _ => new TagValue(),
    };

    private static FieldValue RandomField(Random random) => random.Next(7) switch
    {
        0 => new FieldValue { Null = NullValue.NullValue },
        1 => new FieldValue { Str = new Str { Value = Text(random) } },
        2 => new FieldValue { Int = new Int { Value = random.NextInt64(long.MinValue, long.MaxValue) } },
        3 => new FieldValue { BinaryData = ByteString.CopyFrom([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))]) },
        4 => new FieldValue { Float = new Float { Value = random.Next(6) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity, 3 => 1e21 * random.NextDouble(), 4 => random.Next(-1000, 1000) / 4.0, _ => (random.NextDouble() - 0.5) * 1e-7 } } },
        5 => new FieldValue { Float = new Float { Value = Math.Round(random.NextDouble() * 100, 2) } },
        _ => new FieldValue(),
    };

    private static int Nanos(Random random) => random.Next(4) switch
    {
        0 => 0,
        1 => random.Next(0, 1000) * 1_000_000,
        2 => random.Next(0, 1_000_000) * 1_000,
        _ => random.Next(0, 1_000_000_000),
    };

    // Strings with what JSON must escape (quotes, backslashes, control characters), non-ASCII text and protobuf's base64 alphabet.
    private static string Text(Random random)
    {
        string[] pieces = ["svc", "é", "\"", "\\", "\n", "\u0001", "<&>", "日本", "=+/", " ", "\u2028", "😀"];
        return string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => pieces[random.Next(pieces.Length)]));
    }
}
