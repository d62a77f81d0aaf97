using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Grpc.Core;

namespace Banyan.Silo.Tests.Registry;

/// <summary>Every validation rule through gRPC: INVALID_ARGUMENT with the message <c>&lt;field&gt;: &lt;reason&gt;</c>, and the schema is not stored.</summary>
public sealed class RegistryValidationTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private readonly RegistryClients _registry = new(fixture.Host.Channel);

    public static IEnumerable<object[]> Cases => SchemaValidationCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_request_is_INVALID_ARGUMENT_naming_the_field_and_the_reason(string name)
    {
        SchemaValidationCase validationCase = SchemaValidationCases.Get(name);
        SchemaSamples samples = new(name.Replace('_', '-'));
        foreach (IMessage schema in validationCase.Setup(samples))
        {
            await _registry.CreateAsync(schema);
        }

        IMessage attempt = validationCase.Schema(samples);
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => validationCase.Update ? _registry.UpdateAsync(attempt) : _registry.CreateAsync(attempt));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith(validationCase.Field + ": ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(SchemaValidationCases.ReasonFor(validationCase, samples), e.Status.Detail, StringComparison.Ordinal);

        // Nothing was stored: a refused create leaves no schema behind (when it could be named at all).
        if (!validationCase.Update && TryKey(attempt) is not null)
        {
            try
            {
                await _registry.GetAsync(attempt);
                Assert.Fail($"the refused {attempt.Descriptor.Name} was stored");
            }
            catch (RpcException notStored) when (notStored.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
            }
        }
    }

    private static object? TryKey(IMessage schema) =>
        schema.Descriptor.FindFieldByName("metadata").Accessor.GetValue(schema);
}
