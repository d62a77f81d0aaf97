using Banyan.Api.Common.V1;

namespace Banyan.Api;

/// <summary>
/// The BanyanDB API version Banyan speaks, answered by <c>common.v1.Service/GetAPIVersion</c>. SkyWalking's OAP
/// compares <see cref="Current"/> with the version it was built for and refuses to start on any other, so this is
/// the one place it is written.
/// </summary>
public static class ApiVersion
{
    /// <summary>
    /// BanyanDB's API version: the <c>Version</c> constant of upstream <c>api/proto/banyandb/version.go</c> at
    /// <see cref="Revision"/>. A test checks both against the checked-in upstream API snapshot.
    /// </summary>
    public const string Current = "0.10";

    /// <summary>
    /// The upstream (apache/skywalking-banyandb) commit whose API Banyan's protos match exactly. Upstream servers
    /// report their own build commit here; Banyan reports the commit of the API definition it implements.
    /// </summary>
    public const string Revision = "9ebac4516a5d4a84d69f882ae75bf43bc2fd1558";

    /// <summary>A new <see cref="APIVersion"/> message carrying <see cref="Current"/> and <see cref="Revision"/>.</summary>
    public static APIVersion ToMessage() => new() { Version = Current, Revision = Revision };
}
