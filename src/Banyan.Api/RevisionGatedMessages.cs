// The generated query messages of the two packages joined to the revision gate's interfaces, in one place.
namespace Banyan.Api.Measure.V1
{
    /// <summary>A measure query, gated by <see cref="IRevisionGatedRequest"/>.</summary>
    public sealed partial class QueryRequest : IRevisionGatedRequest;

    /// <summary>A measure query's answer, with the gate's statuses.</summary>
    public sealed partial class QueryResponse : IRevisionGatedResponse;
}

namespace Banyan.Api.Stream.V1
{
    /// <summary>A stream query, gated by <see cref="IRevisionGatedRequest"/>.</summary>
    public sealed partial class QueryRequest : IRevisionGatedRequest;

    /// <summary>A stream query's answer, with the gate's statuses.</summary>
    public sealed partial class QueryResponse : IRevisionGatedResponse;
}
