using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Stream.V1;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Client.Writes;

/// <summary>
/// A <see cref="BulkWriter{TPoint, TRequest}"/> of one stream (not named StreamWriter, which System.IO has): elements go to <see cref="IStreamGrain"/>
/// <c>group/name</c> as <see cref="StreamWriteBatch"/>es. Create it with <c>BanyanClient.CreateStreamWriter</c>.
/// </summary>
/// <remarks>
/// Tag values are in the order the stream declares them, or in the order of the tag family spec given at creation.
/// A stream keeps every element, and queries fold copies of one <c>element_id</c> into one: so an element with an
/// <c>element_id</c> is safe to send again after a failure that may have stored it, and one without is not (it would
/// show twice). Elements without an id are retried only when nothing can have been stored
/// (<c>STATUS_SCHEMA_NOT_APPLIED</c>); after other transient failures they are reported failed.
/// </remarks>
public sealed class StreamElementWriter : BulkWriter<ElementValue, WriteRequest>
{
    private readonly IStreamGrain _grain;
    private readonly Metadata _metadata;
    private readonly ImmutableArray<TagFamilySpec> _spec;

    /// <summary>Creates a writer of stream <paramref name="name"/> in <paramref name="group"/>.</summary>
    /// <param name="grains">The cluster client (or any grain factory).</param>
    /// <param name="group">The stream's group.</param>
    /// <param name="name">The stream's name.</param>
    /// <param name="options">Batching, bounds and retries.</param>
    /// <param name="spec">The order of tag families and tags in the elements; empty: the stream's own order.</param>
    /// <param name="clock">The clock of flushes and backoff.</param>
    /// <exception cref="ArgumentException">The group or the name is empty.</exception>
    public StreamElementWriter(IGrainFactory grains, string group, string name, BulkWriterOptions options, IEnumerable<TagFamilySpec>? spec = null, TimeProvider? clock = null)
        : base(options, clock ?? TimeProvider.System)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _metadata = new Metadata { Group = group, Name = name };
        _grain = grains.GetGrain<IStreamGrain>(SubjectKey.Of(group, name));
        _spec = spec is null ? [] : [.. spec.Select(s => s.Clone())];
    }

    /// <summary>The stream written: group and name.</summary>
    public Metadata Stream => _metadata.Clone();

    /// <inheritdoc/>
    protected override string NotResentReason => "the element has no element_id, so a second copy could be stored beside a first one that landed";

    /// <inheritdoc/>
    protected override WriteRequest RequestOf(ElementValue point) => new() { Element = point };

    /// <inheritdoc/>
    protected override Task<WriteOutcome> SendAsync(ImmutableArray<WriteRequest> requests)
        => _grain.Write(new StreamWriteBatch(_metadata, _spec, requests));

    /// <inheritdoc/>
    protected override bool IsSafeToResend(WriteRequest request) => request.Element is { ElementId.Length: > 0 };
}
