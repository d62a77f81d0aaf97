namespace Banyan.Api.Tests;

/// <summary>
/// The wire- and JSON-relevant shape of a protobuf API: every message with its fields, every enum with its
/// values, every service with its RPCs. Options, comments and C# names are left out on purpose: they change
/// neither the bytes on the wire nor the protobuf JSON. Lists are in a canonical order (types by full name,
/// fields by number) so that two shapes compare and serialize the same whatever the declaration order.
/// </summary>
public sealed record ApiShape(
    IReadOnlyList<MessageShape> Messages,
    IReadOnlyList<EnumShape> Enums,
    IReadOnlyList<ServiceShape> Services);

/// <summary>A message (nested ones by their dotted full name); map-entry messages are folded into their map field.</summary>
/// <param name="Name">Full protobuf name, e.g. <c>banyandb.model.v1.Condition.MatchOption</c>.</param>
/// <param name="File">The .proto file that declares it, relative to the proto root.</param>
/// <param name="Fields">Its fields in number order.</param>
/// <param name="Oneofs">Real (non-synthetic) oneofs in declaration order.</param>
public sealed record MessageShape(string Name, string File, IReadOnlyList<FieldShape> Fields, IReadOnlyList<string> Oneofs);

/// <summary>One field.</summary>
/// <param name="Name">The field name as declared (snake_case).</param>
/// <param name="Number">The field number: its identity on the wire.</param>
/// <param name="Label">
/// <c>singular</c>, <c>optional</c> (proto3 <c>optional</c>, i.e. explicit presence), <c>repeated</c> or <c>map</c>.
/// </param>
/// <param name="Type">
/// A scalar keyword (<c>string</c>, <c>int64</c>, ...), the full name of a message or enum, or
/// <c>map&lt;K, V&gt;</c> for maps.
/// </param>
/// <param name="Oneof">The real oneof the field belongs to, or null.</param>
/// <param name="JsonName">The protobuf JSON name (lowerCamelCase unless overridden).</param>
public sealed record FieldShape(string Name, int Number, string Label, string Type, string? Oneof, string JsonName);

/// <summary>An enum with its values in number order.</summary>
public sealed record EnumShape(string Name, string File, IReadOnlyList<EnumValueShape> Values);

/// <summary>One enum value.</summary>
public sealed record EnumValueShape(string Name, int Number);

/// <summary>A service with its RPCs in declaration order.</summary>
public sealed record ServiceShape(string Name, string File, IReadOnlyList<MethodShape> Methods);

/// <summary>One RPC.</summary>
/// <param name="Name">The RPC name.</param>
/// <param name="InputType">Full name of the request message.</param>
/// <param name="OutputType">Full name of the response message.</param>
/// <param name="ClientStreaming">True when the client sends a stream of requests.</param>
/// <param name="ServerStreaming">True when the server answers with a stream of responses.</param>
/// <param name="Http">
/// The HTTP/JSON gateway bindings declared upstream with <c>google.api.http</c>; empty when the RPC has none.
/// Banyan's protos do not carry these options, so they exist only in the upstream snapshot and are not compared.
/// </param>
public sealed record MethodShape(
    string Name,
    string InputType,
    string OutputType,
    bool ClientStreaming,
    bool ServerStreaming,
    IReadOnlyList<HttpRoute> Http);

/// <summary>One <c>google.api.http</c> binding: verb, path template and body selector ("" when none).</summary>
public sealed record HttpRoute(string Method, string Path, string Body);
