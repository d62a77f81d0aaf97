using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Banyan.Api.Common.V1;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Grpc.Core;
using Grpc.Net.Client;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan health</c>: whether the silo serves, on both endpoints the tool uses: the HTTP gateway's
/// <c>/api/healthz</c> and API version, and the gRPC endpoint's <c>GetAPIVersion</c> (what writes go through).
/// </summary>
public static class HealthCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliConsole console)
    {
        Command command = CommandHelp.Create("health", """
            Check that the silo serves, on its HTTP gateway and its gRPC endpoint.
            Asks the HTTP gateway (--addr) for /api/healthz and the API version, and the gRPC endpoint (--grpc-addr, the one
            bulk writes use) for GetAPIVersion. Exits 0 when both serve, 1 when the silo answers NOT_SERVING, 3 when an
            endpoint cannot be reached.

            Example:
              banyan health --addr http://127.0.0.1:17913 --grpc-addr http://127.0.0.1:17912
            """);
        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            (string httpStatus, string httpVersion, int httpExit) = await CheckHttpAsync(context, cancellation);
            (string grpcStatus, string grpcVersion, int grpcExit) = await CheckGrpcAsync(context, cancellation);
            if (context.Output.Format == OutputFormat.Table)
            {
                context.Output.WriteTable(
                    ["ENDPOINT", "ADDRESS", "STATUS", "API VERSION"],
                    [
                        ["http gateway", context.Address, httpStatus, httpVersion],
                        ["grpc", context.GrpcAddress, grpcStatus, grpcVersion],
                    ]);
            }
            else
            {
                context.Output.WriteDocument(new JsonObject
                {
                    ["http"] = new JsonObject { ["address"] = context.Address, ["status"] = httpStatus, ["apiVersion"] = httpVersion },
                    ["grpc"] = new JsonObject { ["address"] = context.GrpcAddress, ["status"] = grpcStatus, ["apiVersion"] = grpcVersion },
                });
            }

            return Math.Max(httpExit, grpcExit);
        });
        return command;
    }

    private static async Task<(string Status, string Version, int Exit)> CheckHttpAsync(CommandContext context, CancellationToken cancellation)
    {
        try
        {
            using GatewayClient gateway = context.Gateway();
            (HttpStatusCode code, string body) = await gateway.SendRawAsync(HttpMethod.Get, "/api/healthz", null, cancellation);
            string status = StatusOf(body) ?? $"HTTP {(int)code}";
            if (code != HttpStatusCode.OK)
            {
                context.Error($"the HTTP gateway at {context.Address} answers {status}");
                return (status, string.Empty, ExitCodes.ServerError);
            }

            GetAPIVersionResponse version = ProtoJson.ParseAnswer<GetAPIVersionResponse>(
                await gateway.SendAsync(HttpMethod.Get, "/api/v1/common/api/version", null, cancellation));
            return (status, version.Version?.Version ?? string.Empty, ExitCodes.Success);
        }
        catch (CliException e)
        {
            context.Error(e.Message);
            return ("UNREACHABLE", string.Empty, e.ExitCode);
        }
    }

    private static async Task<(string Status, string Version, int Exit)> CheckGrpcAsync(CommandContext context, CancellationToken cancellation)
    {
        Uri address = GatewayClient.ParseAddress(context.GrpcAddress, "--grpc-addr");
        try
        {
            using GrpcChannel channel = GrpcChannel.ForAddress(address);
            Service.ServiceClient client = new(channel);
            GetAPIVersionResponse answer = await client.GetAPIVersionAsync(
                new GetAPIVersionRequest(), deadline: DateTime.UtcNow + context.Timeout, cancellationToken: cancellation);
            return ("SERVING", answer.Version?.Version ?? string.Empty, ExitCodes.Success);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            context.Error(GrpcErrors.Unreachable(address, e).Message);
            return ("UNREACHABLE", string.Empty, ExitCodes.Unreachable);
        }
        catch (RpcException e)
        {
            context.Error($"the gRPC endpoint at {address} answers {StatusNames.Of(e.StatusCode)}: {e.Status.Detail}");
            return (StatusNames.Of(e.StatusCode), string.Empty, ExitCodes.ServerError);
        }
    }

    private static string? StatusOf(string body)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("status", out JsonElement s) ? s.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
