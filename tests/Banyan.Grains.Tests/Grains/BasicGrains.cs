using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests.Grains;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int delta);

    Task<int> Get();

    Task<string> GetKey();

    ValueTask<long> Twice(long value);

    ValueTask Reset();

    IAsyncEnumerable<string> Range(int count);

    Task Fail(string message);

    Task FailWithCustom(string message);

    Task FailUnrecreatable(string message);

    Task<string> WhereAmI();
}

public sealed class CounterGrain(ISiloStatus silo) : Grain, ICounterGrain
{
    private int _value;

    public Task<int> Add(int delta) => Task.FromResult(_value += delta);

    public Task<int> Get() => Task.FromResult(_value);

    public Task<string> GetKey() => Task.FromResult(this.GetPrimaryKeyString());

    public ValueTask<long> Twice(long value) => ValueTask.FromResult(value * 2);

    public ValueTask Reset()
    {
        _value = 0;
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<string> Range(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return "item" + i;
        }
    }

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public Task FailWithCustom(string message) => throw new CustomGrainException(message);

    public Task FailUnrecreatable(string message) => throw new UnrecreatableException(message, 42);

    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}

public sealed class CustomGrainException : Exception
{
    public CustomGrainException()
    {
    }

    public CustomGrainException(string message)
        : base(message)
    {
    }

    public CustomGrainException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

#pragma warning disable CA1032 // deliberately lacks the (string) constructor: it cannot be recreated by the caller
public sealed class UnrecreatableException(string message, int code) : Exception(message + " code " + code);
#pragma warning restore CA1032

public interface IAccountGrain : IGrainWithIntegerKey
{
    Task<long> GetId();
}

public sealed class AccountGrain : Grain, IAccountGrain
{
    public Task<long> GetId() => Task.FromResult(this.GetPrimaryKeyLong());
}

public interface IMessageHolderGrain : IGrainWithStringKey
{
    Task Store(StringValue message);

    Task<StringValue> Load();

    Task<int> Sum(int[] values);

    Task<List<string>> Echo(List<string> values);

    Task<byte[]> EchoBytes(byte[] payload);

    Task<BytesValue> EchoPayload(BytesValue payload);

    Task<string> CallCounter(ICounterGrain counter, int delta);
}

public sealed class MessageHolderGrain : Grain, IMessageHolderGrain
{
    private StringValue _stored = new();

    public Task Store(StringValue message)
    {
        _stored = message;
        return Task.CompletedTask;
    }

    public Task<StringValue> Load() => Task.FromResult(_stored);

    public Task<int> Sum(int[] values) => Task.FromResult(values.Sum());

    public Task<List<string>> Echo(List<string> values) => Task.FromResult(values);

    public Task<byte[]> EchoBytes(byte[] payload) => Task.FromResult(payload);

    public Task<BytesValue> EchoPayload(BytesValue payload) => Task.FromResult(payload);

    public async Task<string> CallCounter(ICounterGrain counter, int delta) => (await counter.Add(delta)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "@" + counter.GetPrimaryKeyString();
}

public sealed class NotSerializable
{
    public int Value { get; set; }
}

public interface IBadGrain : IGrainWithStringKey
{
    Task Take(NotSerializable value);
}

public sealed class BadGrain : Grain, IBadGrain
{
    public Task Take(NotSerializable value) => Task.CompletedTask;
}

public interface IOneWayGrain : IGrainWithStringKey
{
    [OneWay]
    Task Fire(string signal);
}

public sealed class OneWayGrain : Grain, IOneWayGrain
{
    public async Task Fire(string signal)
    {
        await Signals.Wait(signal + ":release");
        Signals.Set(signal + ":done");
    }
}
