using Banyan.Api.Model.V1;
using Banyan.Conformance.Cases;
using Banyan.Conformance.Fixtures;
using Banyan.Conformance.Seeding;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Running;

/// <summary>
/// Builds a case's request and reads its want, as upstream's <c>VerifyFn</c>s do (<c>test/cases/*/data/data.go</c>):
/// the input YAML as protojson, then <c>time_range</c> from the case (<c>helpers.TimeRange</c>: explicit begin/end,
/// else <c>[B + offset, B + offset + duration]</c>, both inclusive on the server) and <c>stages</c> from the case
/// (replacing any in the input, as <c>query.Stages = args.Stages</c> does).
/// </summary>
public static class CaseRequests
{
    /// <summary>The query window of <paramref name="conformanceCase"/> for base time <paramref name="baseTime"/>.</summary>
    public static TimeRange TimeRangeOf(ConformanceCase conformanceCase, BaseTime baseTime)
    {
        ArgumentNullException.ThrowIfNull(conformanceCase);
        if (conformanceCase.Begin is not null && conformanceCase.End is not null)
        {
            return new TimeRange { Begin = conformanceCase.Begin.Clone(), End = conformanceCase.End.Clone() };
        }

        return new TimeRange
        {
            Begin = baseTime.At(conformanceCase.OffsetMs),
            End = baseTime.At(conformanceCase.OffsetMs + conformanceCase.DurationMs),
        };
    }

    /// <summary>The request of <paramref name="conformanceCase"/>: its input file with the case's window and stages.</summary>
    public static IMessage Build(ConformanceFixtures fixtures, ConformanceSuite suite, ConformanceCase conformanceCase, BaseTime baseTime)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        ArgumentNullException.ThrowIfNull(suite);
        IMessage request = Read(fixtures, suite.InputPath(conformanceCase), suite.RequestType, suite.Name);
        TimeRange window = TimeRangeOf(conformanceCase, baseTime);
        switch (request)
        {
            case StreamV1.QueryRequest stream:
                stream.TimeRange = window;
                stream.Stages.Clear();
                stream.Stages.Add(conformanceCase.Stages);
                break;
            case MeasureV1.QueryRequest measure:
                measure.TimeRange = window;
                measure.Stages.Clear();
                measure.Stages.Add(conformanceCase.Stages);
                break;
            case MeasureV1.TopNRequest topN:
                topN.TimeRange = window;
                topN.Stages.Clear();
                topN.Stages.Add(conformanceCase.Stages);
                break;
            default:
                throw new NotSupportedException($"The harness does not run {request.Descriptor.FullName} queries yet.");
        }

        return request;
    }

    /// <summary>The want of <paramref name="conformanceCase"/> as the suite's response message.</summary>
    public static IMessage ReadWant(ConformanceFixtures fixtures, ConformanceSuite suite, ConformanceCase conformanceCase)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return Read(fixtures, suite.WantPath(conformanceCase), suite.ResponseType, suite.Name);
    }

    private static IMessage Read(ConformanceFixtures fixtures, string relativePath, Google.Protobuf.Reflection.MessageDescriptor type, string suite)
    {
        FixtureSpec spec = new(relativePath, FixtureFormat.Message, type, suite);
        return FixtureReader.Read(File.ReadAllText(fixtures.FullPath(relativePath)), spec).Single();
    }

    /// <summary>Text of a window for reports, relative to B when it is (e.g. <c>[B-1200000 ms, B+300000 ms]</c>).</summary>
    public static string Describe(ConformanceCase conformanceCase)
    {
        ArgumentNullException.ThrowIfNull(conformanceCase);
        if (conformanceCase.Begin is not null && conformanceCase.End is not null)
        {
            return $"[{Seconds(conformanceCase.Begin)}, {Seconds(conformanceCase.End)}] (explicit)";
        }

        return $"[B{Signed(conformanceCase.OffsetMs)} ms, B{Signed(conformanceCase.OffsetMs + conformanceCase.DurationMs)} ms]";
    }

    private static string Seconds(Timestamp t) => $"{t.Seconds}s+{t.Nanos}ns";

    private static string Signed(long value) => value >= 0 ? $"+{value}" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
