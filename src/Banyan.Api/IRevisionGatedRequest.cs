using Banyan.Api.Model.V1;
using Google.Protobuf.Collections;

namespace Banyan.Api;

/// <summary>
/// A stream or measure query request, as BanyanDB's revision gate reads it (<c>group_mod_revisions</c>, field 50): the
/// generated <c>QueryRequest</c> classes of both packages implement it with the properties they already have, so one
/// gate serves both.
/// </summary>
public interface IRevisionGatedRequest
{
    /// <summary>The groups queried.</summary>
    RepeatedField<string> Groups { get; }

    /// <summary>The stream or measure queried.</summary>
    string Name { get; }

    /// <summary>The schema revision the client knows, per group (0 or absent: not gated).</summary>
    MapField<string, long> GroupModRevisions { get; }

    /// <summary>The query's time range, if any.</summary>
    TimeRange TimeRange { get; set; }
}
