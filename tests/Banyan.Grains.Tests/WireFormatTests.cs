using Banyan.Grains.Runtime;

namespace Banyan.Grains.Tests;

public sealed class WireFormatTests
{
    [Fact]
    public void Requests_and_responses_round_trip()
    {
        RequestMessage request = new()
        {
            InterfaceName = "A.IFoo",
            GrainKey = "group/1/ü",
            MethodKey = "A.IFoo.Bar(System.Int32)",
            Arguments = [1, 2, 3],
            ReadOnly = true,
            Origin = new SiloAddress("127.0.0.1", 11111, 42) { GatewayPort = 30000 },
            HopCount = 2,
        };
        RequestMessage back = RequestMessage.Decode(request.Encode());
        Assert.Equal(request.GrainKey, back.GrainKey);
        Assert.Equal(request.MethodKey, back.MethodKey);
        Assert.Equal(request.Arguments, back.Arguments);
        Assert.True(back.ReadOnly);
        Assert.False(back.OneWay);
        Assert.Equal(request.Origin, back.Origin);
        Assert.Equal(30000, back.Origin!.GatewayPort);
        Assert.Equal(2, back.HopCount);

        ResponseMessage error = ResponseMessage.Decode(ResponseMessage.FromException(new ArgumentException("bad field 'x'")).Encode());
        Exception rethrown = error.ToException();
        Assert.IsType<ArgumentException>(rethrown);
        Assert.Equal("bad field 'x'", rethrown.Message);
    }

    [Fact]
    public void Random_and_truncated_bytes_raise_only_WireFormatException()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        byte[] valid = new RequestMessage { InterfaceName = "I", GrainKey = "k", MethodKey = "m", Arguments = [9, 9] }.Encode();
        for (int i = 0; i < 2000; i++)
        {
            byte[] data = random.Next(2) == 0 ? valid[..random.Next(valid.Length)] : RandomBytes(random);
            try
            {
                RequestMessage.Decode(data);
                ResponseMessage.Decode(data);
            }
            catch (WireFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {Convert.ToHexString(data)}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] data = new byte[random.Next(64)];
        random.NextBytes(data);
        return data;
    }
}
