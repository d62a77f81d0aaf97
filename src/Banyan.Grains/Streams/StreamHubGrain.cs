using System.Buffers.Binary;
using Banyan.Grains.Runtime;

namespace Banyan.Grains.Streams;

/// <summary>
/// The rendezvous of one stream (key <c>provider/namespace/key</c>): keeps the recent events in
/// order and answers subscribers' long polls. Public only because grain references need it.
/// </summary>
public interface IStreamHubGrain : IGrainWithStringKey
{
    /// <summary>Appends an encoded event; returns its sequence number.</summary>
    Task<long> Publish(byte[] item);

    /// <summary>
    /// Events from <paramref name="fromSequence"/> on, waiting up to <paramref name="maxWaitMilliseconds"/>
    /// for one when there is none. Encoded as: epoch (16 bytes), first sequence (int64), count (int32),
    /// then per event a length (int32) and the bytes.
    /// </summary>
    [AlwaysInterleave]
    Task<byte[]> Poll(byte[] epoch, long fromSequence, int maxWaitMilliseconds);
}

/// <summary>The hub: an in-memory ring of the last <see cref="Capacity"/> events. Its epoch changes when it is re-activated (events held by a lost activation are gone, as with Orleans memory streams).</summary>
// Reentrant: a publish must not wait behind the long polls in progress (an always-interleave
// request would still block ordinary ones). Its methods only await inside Poll, so turns cannot
// observe a half-updated ring.
[PreferLocalPlacement]
[Reentrant]
internal sealed class StreamHubGrain : Grain, IStreamHubGrain
{
    public const int Capacity = 1024;

    private readonly List<byte[]> _events = [];
    private readonly byte[] _epoch = Guid.NewGuid().ToByteArray();
    private long _firstSequence = 1;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<long> Publish(byte[] item)
    {
        _events.Add(item);
        if (_events.Count > Capacity)
        {
            _events.RemoveAt(0);
            _firstSequence++;
        }

        TaskCompletionSource published = _published;
        _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        published.TrySetResult();
        return Task.FromResult(_firstSequence + _events.Count - 1);
    }

    public async Task<byte[]> Poll(byte[] epoch, long fromSequence, int maxWaitMilliseconds)
    {
        long next = _firstSequence + _events.Count;
        if (!epoch.AsSpan().SequenceEqual(_epoch))
        {
            // A subscriber new to this hub incarnation starts at the events published from now on.
            return Encode(next, 0);
        }

        if (fromSequence >= next && maxWaitMilliseconds > 0)
        {
            Task published = _published.Task;
            CancellationToken deactivating = Activation.DeactivationRequested;
            await Task.WhenAny(published, Task.Delay(TimeSpan.FromMilliseconds(maxWaitMilliseconds), Activation.TimeProvider, deactivating));
        }

        long start = Math.Max(fromSequence, _firstSequence);
        int count = (int)Math.Max(0, _firstSequence + _events.Count - start);
        return Encode(start, count);
    }

    private byte[] Encode(long start, int count)
    {
        int size = 16 + 8 + 4;
        for (int i = 0; i < count; i++)
        {
            size += 4 + _events[(int)(start - _firstSequence) + i].Length;
        }

        byte[] buffer = new byte[size];
        _epoch.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(16), start);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(24), count);
        int offset = 28;
        for (int i = 0; i < count; i++)
        {
            byte[] item = _events[(int)(start - _firstSequence) + i];
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), item.Length);
            item.CopyTo(buffer, offset + 4);
            offset += 4 + item.Length;
        }

        return buffer;
    }
}
