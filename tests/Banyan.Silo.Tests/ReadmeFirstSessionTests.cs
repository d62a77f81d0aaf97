using System.Text.RegularExpressions;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests;

/// <summary>The README's first session works as written: its JSON requests, sent to a real silo, create the group and the measure, and its example error is what the silo answers.</summary>
public sealed partial class ReadmeFirstSessionTests
{
    [Fact]
    public async Task The_readme_requests_create_the_group_and_the_measure()
    {
        string readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        Dictionary<string, string> requests = FirstSessionBlocks().Matches(readme).ToDictionary(m => m.Groups["rpc"].Value, m => m.Groups["json"].Value);
        Assert.Equal(["GroupRegistryService/Create", "MeasureRegistryService/Create"], requests.Keys.Order(StringComparer.Ordinal));
        GroupRegistryServiceCreateRequest group = JsonParser.Default.Parse<GroupRegistryServiceCreateRequest>(requests["GroupRegistryService/Create"]);
        MeasureRegistryServiceCreateRequest measure = JsonParser.Default.Parse<MeasureRegistryServiceCreateRequest>(requests["MeasureRegistryService/Create"]);

        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        Assert.Equal(1, (await registry.Groups.CreateAsync(group, deadline: RegistryClients.Deadline)).ModRevision);
        Assert.Equal(2, (await registry.Measures.CreateAsync(measure, deadline: RegistryClients.Deadline)).ModRevision);
        MeasureRegistryServiceGetResponse stored = await registry.Measures.GetAsync(
            new MeasureRegistryServiceGetRequest { Metadata = new Metadata { Group = "sw_metric", Name = "service_cpm_minute" } },
            deadline: RegistryClients.Deadline);
        Assert.Equal(2, stored.Measure.Metadata.CreateRevision);
        Assert.NotNull(stored.Measure.UpdatedAt);
        Assert.NotNull(stored.Measure.CreatedAt);

        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => registry.Measures.CreateAsync(measure, deadline: RegistryClients.Deadline).ResponseAsync)).StatusCode);
        MeasureRegistryServiceCreateRequest bad = measure.Clone();
        bad.Measure.Metadata.Name = "bad";
        bad.Measure.Entity.TagNames[0] = "service_id";
        RpcException invalid = await Assert.ThrowsAsync<RpcException>(() => registry.Measures.CreateAsync(bad, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains($"`{invalid.Status.Detail}`", readme, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} holds Banyan.Orleans.sln.");
    }

    [GeneratedRegex(@"<!-- first-session: (?<rpc>\S+) -->\s*```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstSessionBlocks();
}
