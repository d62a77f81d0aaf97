using Banyan.Api.Common.V1;
using Grpc.Core;

namespace Banyan.Api;

/// <summary>
/// <c>banyandb.common.v1.Service</c>: answers <c>GetAPIVersion</c> with <see cref="ApiVersion"/>. It needs no
/// state, so hosts map it as it is (<c>MapGrpcService&lt;ApiVersionService&gt;()</c>).
/// </summary>
public sealed class ApiVersionService : Service.ServiceBase
{
    /// <inheritdoc />
    public override Task<GetAPIVersionResponse> GetAPIVersion(GetAPIVersionRequest request, ServerCallContext context) =>
        Task.FromResult(new GetAPIVersionResponse { Version = ApiVersion.ToMessage() });
}
