namespace Banyan.Grains.Writes.Wire;

/// <summary>
/// The <c>version</c> of a measure <c>DataPointValue</c> read from its bytes, walking only the message's own fields: the
/// write stream needs it before the data point goes to the measure grain (a point without one gets its message id
/// assigned), and nothing more. The fields inside (timestamp, tag families, fields) are stepped over by their lengths:
/// the measure grain's decoder reads every one of them, accepts only what Google.Protobuf parses to the same values, and
/// gives a point that does not decode its own status (<c>STATUS_INTERNAL_ERROR</c>, "data_point: does not decode")
/// while the other points of the stream land. Until 2026-12-06 the stream walked every point to the last byte here too,
/// so each point was read twice (docs/benchmarks.md, "One walk over each data point").
/// </summary>
public static class DataPointWireVersion
{
    private const int PointVersion = 4;

    /// <summary>
    /// True when the top level of <paramref name="point"/> is well formed (every field's tag, varint and length in
    /// bounds, no groups); <paramref name="version"/> is its <c>version</c> (the last one given; 0 when unset, or when
    /// field 4 is not a varint, which the parser keeps as an unknown field). False means "not vouched for": the caller
    /// parses the message with Google.Protobuf, which accepts it or gives the error a client gets.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> point, out long version)
    {
        version = 0;
        ProtobufWireReader reader = new(point);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (wireType == ProtobufWireReader.Varint && field == PointVersion)
            {
                if (!reader.TryReadVarint(out ulong value))
                {
                    return false;
                }

                version = unchecked((long)value); // the last occurrence wins, as in the parser
                continue;
            }

            if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }
}
