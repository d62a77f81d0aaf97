using System.Buffers;
using System.Text;
using Banyan.Api.Measure.V1;
using Banyan.Grains.Writes.Wire;

namespace Banyan.Benchmarks.Load;

/// <summary>What the responses of one write stream said: how many succeeded, how many did not, and the first that did not.</summary>
public sealed class WriteResponseTally
{
    private const string Succeed = "STATUS_SUCCEED";
    private static readonly byte[] s_succeed = Encoding.ASCII.GetBytes(Succeed);

    /// <summary>Responses with <c>STATUS_SUCCEED</c>.</summary>
    public long Succeeded { get; private set; }

    /// <summary>Responses with any other status.</summary>
    public long Failed { get; private set; }

    /// <summary>The first response that did not succeed (message id and status), or null.</summary>
    public string? FirstFailure { get; private set; }

    /// <summary>
    /// Counts one response from its bytes. A success is recognised by walking the message's fields
    /// (<see cref="ProtobufWireReader"/>, the silo's own reader) for the status field (2) holding the bytes of
    /// <c>STATUS_SUCCEED</c>, without building the message; anything else is parsed and counted by
    /// <see cref="Add(WriteResponse)"/>.
    /// </summary>
    public void Add(ReadOnlySpan<byte> message)
    {
        if (IsSuccess(message))
        {
            Succeeded++;
            return;
        }

        Add(WriteResponse.Parser.ParseFrom(message));
    }

    /// <summary>As <see cref="Add(ReadOnlySpan{byte})"/>, for a message that may lie in several segments.</summary>
    public void Add(ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment)
        {
            Add(message.FirstSpan);
            return;
        }

        Add(WriteResponse.Parser.ParseFrom(message));
    }

    // Whether the last status field (protobuf keeps the last of a field given twice) is STATUS_SUCCEED; false for
    // bytes that do not decode, which the parser then reports.
    private static bool IsSuccess(ReadOnlySpan<byte> message)
    {
        const int StatusField = 2;
        bool succeeded = false;
        ProtobufWireReader reader = new(message);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (field == StatusField && wireType == ProtobufWireReader.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out int start, out int length))
                {
                    return false;
                }

                succeeded = message.Slice(start, length).SequenceEqual(s_succeed);
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return succeeded;
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
