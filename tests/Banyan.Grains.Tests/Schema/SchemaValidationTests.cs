using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;

namespace Banyan.Grains.Tests.Schema;

/// <summary>Every validation rule, on the plain registry (no cluster): the request is refused naming the field and the reason, and nothing changes.</summary>
public sealed class SchemaValidationTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    public static IEnumerable<object[]> Cases => SchemaValidationCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_registry_refuses_the_invalid_schema_naming_the_field(string name)
    {
        SchemaValidationCase validationCase = SchemaValidationCases.Get(name);
        SchemaSamples samples = new("unit");
        // A broken setup throws here, outside the assertion, and fails the case.
        SchemaCatalog catalog = SchemaCatalog.Empty;
        foreach (IMessage schema in validationCase.Setup(samples))
        {
            catalog = SchemaRegistry.Create(catalog, schema, s_now).Next;
        }

        IMessage attempt = validationCase.Schema(samples);
        SchemaValidationException e = Assert.Throws<SchemaValidationException>(() =>
        {
            if (validationCase.Update)
            {
                SchemaRegistry.Update(catalog, attempt, s_now);
            }
            else
            {
                SchemaRegistry.Create(catalog, attempt, s_now);
            }
        });
        Assert.Equal(validationCase.Field, e.Field);
        Assert.Contains(SchemaValidationCases.ReasonFor(validationCase, samples), e.Reason, StringComparison.Ordinal);
        Assert.Equal($"{e.Field}: {e.Reason}", e.Message);
    }
}
