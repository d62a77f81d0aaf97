namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The status of one written element, with the numbers of BanyanDB's <c>model.v1.Status</c>
/// (<see cref="Banyan.Api.Model.V1.Status"/>), whose enum name is what <c>WriteResponse.status</c> carries.
/// </summary>
[GenerateSerializer]
[Alias("banyan.WriteStatus")]
public enum WriteStatus : byte
{
    /// <summary>Durable (or, for data older than the TTL, accepted and not stored, as BanyanDB answers).</summary>
    Succeed = 1,

    /// <summary>The timestamp is missing, not whole milliseconds, or outside the years 1677–2262.</summary>
    InvalidTimestamp = 2,

    /// <summary>The group or the stream/measure does not exist.</summary>
    NotFound = 3,

    /// <summary>The request's <c>metadata.mod_revision</c> is older than the schema's.</summary>
    ExpiredSchema = 4,

    /// <summary>
    /// The element is malformed (BanyanDB's liaison answers this for an element it cannot route), or its shard could
    /// not take it (owner down, I/O error): nothing was acknowledged; a retry may succeed for the latter.
    /// </summary>
    InternalError = 5,

    /// <summary>The shard's disk is full; nothing was acknowledged.</summary>
    DiskFull = 6,

    /// <summary>The request's <c>metadata.mod_revision</c> is newer than the schema this silo has.</summary>
    SchemaNotApplied = 10,
}
