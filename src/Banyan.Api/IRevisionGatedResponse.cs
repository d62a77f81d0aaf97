using Banyan.Api.Model.V1;
using Google.Protobuf.Collections;

namespace Banyan.Api;

/// <summary>The answer of a <see cref="IRevisionGatedRequest"/>: the gate's status per gated group (field 50).</summary>
public interface IRevisionGatedResponse
{
    /// <summary>The gate's status per gated group.</summary>
    MapField<string, Status> GroupStatuses { get; }
}
