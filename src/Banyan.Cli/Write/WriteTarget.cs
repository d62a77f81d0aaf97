namespace Banyan.Cli.Write;

/// <summary>What a bulk write loads: stream elements or measure data points.</summary>
public enum WriteTarget
{
    /// <summary><c>banyandb.stream.v1.WriteRequest</c> over <c>StreamService/Write</c>.</summary>
    Stream,

    /// <summary><c>banyandb.measure.v1.WriteRequest</c> over <c>MeasureService/Write</c>.</summary>
    Measure,
}
