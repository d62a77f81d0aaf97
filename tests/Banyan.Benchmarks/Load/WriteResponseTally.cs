using System.Buffers;
using System.Text;
using Banyan.Api.Measure.V1;

namespace Banyan.Benchmarks.Load;

/// <summary>What the responses of one write stream said: how many succeeded, how many did not, and the first that did not.</summary>
public sealed class WriteResponseTally
{
    private const string Succeed = "STATUS_SUCCEED";
    private static readonly byte[] s_succeedStatusField = [(2 << 3) | 2, (byte)Succeed.Length, .. Encoding.ASCII.GetBytes(Succeed)];

    /// <summary>Responses with <c>STATUS_SUCCEED</c>.</summary>
    public long Succeeded { get; private set; }

    /// <summary>Responses with any other status.</summary>
    public long Failed { get; private set; }

    /// <summary>The first response that did not succeed (message id and status), or null.</summary>
    public string? FirstFailure { get; private set; }

    /// <summary>
    /// Counts one response from its bytes. A success is recognised without parsing: the message holds the status field
    /// (field 2) with the bytes of <c>STATUS_SUCCEED</c> right after the message id (field 1), as protobuf writes fields
    /// in number order. Anything else is parsed and counted by <see cref="Add(WriteResponse)"/>.
    /// </summary>
    public void Add(ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment && IsSuccess(message.FirstSpan))
        {
            Succeeded++;
            return;
        }

        Add(WriteResponse.Parser.ParseFrom(message));
    }

    // message_id (field 1, a varint; absent when 0), then the status field.
    private static bool IsSuccess(ReadOnlySpan<byte> message)
    {
        int at = 0;
        if (message.Length > 0 && message[0] == ((1 << 3) | 0))
        {
            at = 1;
            while (at < message.Length && at <= 10 && (message[at] & 0x80) != 0)
            {
                at++;
            }

            at++;
        }

        return at <= message.Length && message[at..].StartsWith(s_succeedStatusField);
    }

    /// <summary>Counts one response.</summary>
    public void Add(WriteResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Status == Succeed)
        {
            Succeeded++;
            return;
        }

        Failed++;
        FirstFailure ??= $"message {response.MessageId}: {response.Status}";
    }
}
