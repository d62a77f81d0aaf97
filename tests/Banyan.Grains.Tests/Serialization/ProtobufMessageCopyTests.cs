using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Serialization;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Banyan.Grains.Tests.Serialization;

public sealed class ProtobufMessageCopyTests
{
    [Fact]
    public void A_copy_inside_one_silo_is_equal_and_shares_no_mutable_message()
    {
        QueryResponse original = new()
        {
            DataPoints =
            {
                new DataPoint
                {
                    Sid = 7,
                    Version = 3,
                    TagFamilies = { new TagFamily { Name = "default", Tags = { new Tag { Key = "service_id", Value = new TagValue { Str = new Str { Value = "svc-1" } } } } } },
                    Fields = { new DataPoint.Types.Field { Name = "value", Value = new FieldValue { Float = new Float { Value = 1.5 } } } },
                },
            },
        };
        // An unknown field must survive the copy as it survives the wire.
        QueryResponse withUnknown = QueryResponse.Parser.ParseFrom([.. original.ToByteArray(), 0xF8, 0x06, 0x01]);

        ServiceProvider services = new ServiceCollection().AddSerializer(b => b.AddBanyanSerializers()).BuildServiceProvider();
        DeepCopier copier = services.GetRequiredService<DeepCopier>();
        QueryResponse copy = copier.Copy(withUnknown);

        Assert.NotSame(withUnknown, copy);
        Assert.Equal(withUnknown, copy);
        Assert.Equal(withUnknown.ToByteArray(), copy.ToByteArray());

        // Changing the copy leaves the original as it was: no nested message is shared.
        copy.DataPoints[0].TagFamilies[0].Tags[0].Value.Str.Value = "changed";
        copy.DataPoints[0].Fields[0].Value.Float.Value = 2.5;
        Assert.Equal("svc-1", withUnknown.DataPoints[0].TagFamilies[0].Tags[0].Value.Str.Value);
        Assert.Equal(1.5, withUnknown.DataPoints[0].Fields[0].Value.Float.Value);
    }
}
