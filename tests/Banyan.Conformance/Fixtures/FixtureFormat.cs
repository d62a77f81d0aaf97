namespace Banyan.Conformance.Fixtures;

/// <summary>How a fixture file maps onto protobuf messages.</summary>
public enum FixtureFormat
{
    /// <summary>The whole document is one message.</summary>
    Message,

    /// <summary>A JSON array whose every item is one message.</summary>
    MessageArray,

    /// <summary>
    /// Stream <c>streamExplicitId</c> data: an array of <c>{element_id, tags}</c>; the runner strips
    /// <c>element_id</c> and sends the rest as a <c>model.v1.TagFamilyForWrite</c>.
    /// </summary>
    ExplicitIdTagFamilyArray,

    /// <summary>
    /// Trace write data: an array of <c>{span, tags}</c> with <c>span</c> as plain text; the runner sends
    /// <c>trace.v1.WriteRequest{tags, span: utf8(span)}</c>.
    /// </summary>
    TraceSpanArray,

    /// <summary>
    /// Trace want files: a <c>trace.v1.QueryResponse</c> whose span payloads are written as plain text
    /// instead of protojson base64 (upstream converts them before comparing).
    /// </summary>
    TraceQueryResponse,
}
