using System.Reflection;
using Banyan.Grains.Serialization;

namespace Banyan.Grains.Runtime;

/// <summary>Outcome of a request: the encoded result, or the exception as type name + message.</summary>
internal sealed class ResponseMessage
{
    public static readonly ResponseMessage Empty = new() { Status = ResponseStatus.Ok };

    public ResponseStatus Status { get; init; }

    public byte[]? Result { get; init; }

    public string? ExceptionType { get; init; }

    public string? ExceptionMessage { get; init; }

    public string? StackTrace { get; init; }

    public static ResponseMessage FromException(Exception e) => new()
    {
        // Only "not delivered" may be retried elsewhere; "may have run" travels as an ordinary error.
        Status = e is SiloUnavailableException { RequestMayHaveRun: false } ? ResponseStatus.SiloUnavailable : ResponseStatus.Error,
        ExceptionType = e.GetType().AssemblyQualifiedName ?? e.GetType().FullName,
        ExceptionMessage = e.Message,
        StackTrace = e.StackTrace,
    };

    /// <summary>Recreates the grain's exception on the caller's side: the same type when it is known here and has a (string) constructor, otherwise <see cref="RemoteGrainException"/>.</summary>
    public Exception ToException()
    {
        string typeName = ExceptionType ?? "System.Exception";
        string message = ExceptionMessage ?? string.Empty;
        if (Status == ResponseStatus.SiloUnavailable)
        {
            return new SiloUnavailableException(message);
        }

        Type? type = Type.GetType(typeName, throwOnError: false);
        if (type is not null && typeof(Exception).IsAssignableFrom(type)
            && type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]) is ConstructorInfo ctor)
        {
            Exception e = (Exception)ctor.Invoke([message]);
            if (StackTrace is not null)
            {
                e.Data["RemoteStackTrace"] = StackTrace;
            }

            return e;
        }

        int comma = typeName.IndexOf(',', StringComparison.Ordinal);
        return new RemoteGrainException(comma > 0 ? typeName[..comma] : typeName, message, StackTrace);
    }

    public byte[] Encode()
    {
        WireWriter w = WireWriter.Rent();
        try
        {
            w.WriteByte((byte)Status);
            if (Status == ResponseStatus.Ok)
            {
                w.WriteByte(Result is null ? (byte)0 : (byte)1);
                if (Result is not null)
                {
                    w.WriteBytes(Result);
                }
            }
            else
            {
                w.WriteString(ExceptionType ?? string.Empty);
                w.WriteString(ExceptionMessage ?? string.Empty);
                w.WriteString(StackTrace ?? string.Empty);
            }

            return w.ToArray();
        }
        finally
        {
            WireWriter.Return(w);
        }
    }

    public static ResponseMessage Decode(ReadOnlySpan<byte> data)
    {
        WireReader r = new(data, null);
        ResponseStatus status = (ResponseStatus)r.ReadByte();
        ResponseMessage message;
        if (status == ResponseStatus.Ok)
        {
            byte[]? result = r.ReadByte() == 0 ? null : r.ReadBytes().ToArray();
            message = new ResponseMessage { Status = status, Result = result };
        }
        else if (status is ResponseStatus.Error or ResponseStatus.SiloUnavailable)
        {
            string type = r.ReadString();
            string text = r.ReadString();
            string stack = r.ReadString();
            message = new ResponseMessage { Status = status, ExceptionType = type, ExceptionMessage = text, StackTrace = stack.Length == 0 ? null : stack };
        }
        else
        {
            throw new WireFormatException($"unknown response status {(byte)status} at offset 0");
        }

        if (!r.End)
        {
            throw new WireFormatException($"{data.Length - r.Position} unexpected bytes after the response at offset {r.Position}");
        }

        return message;
    }
}

/// <summary>Status of a <see cref="ResponseMessage"/>.</summary>
internal enum ResponseStatus : byte
{
    Ok = 1,
    Error = 2,
    SiloUnavailable = 3,
}
