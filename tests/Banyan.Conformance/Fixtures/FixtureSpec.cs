using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Fixtures;

/// <summary>One fixture file and how to read it.</summary>
/// <param name="RelativePath">Path under the conformance root, with '/' separators.</param>
/// <param name="Format">How the file maps onto messages.</param>
/// <param name="Descriptor">The message type of the file (or of each array item).</param>
/// <param name="Suite">The suite the file belongs to: stream, measure, topn, trace or property.</param>
public sealed record FixtureSpec(string RelativePath, FixtureFormat Format, MessageDescriptor Descriptor, string Suite);
