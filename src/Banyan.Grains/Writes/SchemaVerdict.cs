using Banyan.GrainInterfaces.Writes;

namespace Banyan.Grains.Writes;

/// <summary>A status that applies to every element of a batch because of its schema (not found, revision mismatch), with the reason.</summary>
/// <param name="Status">The status.</param>
/// <param name="Reason">Why.</param>
internal sealed record SchemaVerdict(WriteStatus Status, string Reason)
{
    /// <summary>
    /// BanyanDB's revision gate (<c>banyand/liaison/grpc/measure.go</c>, <c>stream.go</c> <c>validateWriteRequest</c>),
    /// applied only when the client sent a revision (&gt; 0): older than the schema's → <see cref="WriteStatus.ExpiredSchema"/>;
    /// newer → <see cref="WriteStatus.SchemaNotApplied"/> (the caller first waits, bounded, for the silo's cache to catch up).
    /// Null when the revision is acceptable.
    /// </summary>
    public static SchemaVerdict? OfRevision(string what, long clientRevision, long schemaRevision)
    {
        if (clientRevision <= 0 || clientRevision == schemaRevision)
        {
            return null;
        }

        return clientRevision < schemaRevision
            ? new SchemaVerdict(WriteStatus.ExpiredSchema, $"metadata.mod_revision: {clientRevision} is older than the revision of {what}, {schemaRevision}; get the schema again")
            : new SchemaVerdict(WriteStatus.SchemaNotApplied, $"metadata.mod_revision: {clientRevision} is newer than the revision of {what} on this silo, {schemaRevision}");
    }
}
