using System.Buffers;
using System.Collections;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;

namespace Banyan.Silo.Gateway;

/// <summary>
/// BanyanDB's messages in and out of HTTP with grpc-gateway's JSON rules (its default marshaler: protojson with
/// <c>EmitUnpopulated</c> and <c>DiscardUnknown</c>): requests in either field-name style (lowerCamelCase JSON names or
/// proto names), 64-bit integers as strings or numbers, unknown fields ignored; responses in lowerCamelCase with
/// fields at their default values written out (<c>0</c>, <c>""</c>, <c>[]</c>, the enum's zero name), 64-bit integers as
/// strings, enums by name, timestamps in RFC 3339. Path and query parameters set the fields they name, as grpc-gateway
/// binds them.
/// </summary>
internal static class GatewayCodec
{
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>UTF-8 that refuses malformed bytes instead of replacing them.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The JSON of <paramref name="message"/>, one line.</summary>
    public static string Format(IMessage message) => s_formatter.Format(message);

    /// <summary>Answers <paramref name="message"/> with HTTP 200.</summary>
    public static async Task WriteAsync(HttpResponse response, IMessage message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GatewayErrors.JsonMediaType;
        if (message is Banyan.Api.Measure.V1.QueryResponse answer)
        {
            // MeasureService/Query leaves a page of raw points as rows for the gRPC marshaller to write as bytes; the
            // JSON is written from the points as objects.
            if (Banyan.Grains.Queries.MeasurePointRows.TryTakeFrom(answer, out Banyan.Grains.Queries.MeasurePointRows? rows))
            {
                answer.DataPoints.Add(rows!.ToDataPoints());
            }

            var json = new ArrayBufferWriter<byte>(4096);
            if (MeasureQueryJson.TryWrite(answer, json))
            {
                response.ContentLength = json.WrittenCount;
                await response.Body.WriteAsync(json.WrittenMemory, response.HttpContext.RequestAborted);
                return;
            }
        }

        byte[] body = Encoding.UTF8.GetBytes(Format(message));
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
    }

    /// <summary>Parses one JSON message; malformed JSON or a value of the wrong type is INVALID_ARGUMENT naming <paramref name="what"/>.</summary>
    /// <exception cref="RpcException">The text is not a <typeparamref name="T"/> in JSON (INVALID_ARGUMENT).</exception>
    public static T Parse<T>(string json, string what)
        where T : IMessage<T>, new()
    {
        try
        {
            return s_parser.Parse<T>(json);
        }
        catch (Exception e) when (IsDecodingError(e))
        {
            throw NotAMessage<T>(what, e);
        }
    }

    /// <summary>
    /// Reads the request body (at most <paramref name="limit"/> bytes, copied out of Kestrel's buffers as it arrives;
    /// reading stops as soon as more has come) and parses it; an empty body is the empty message, as grpc-gateway has it.
    /// </summary>
    /// <exception cref="RequestTooLargeException">The body is larger than <paramref name="limit"/>; reading stopped there.</exception>
    /// <exception cref="RpcException">The body is not a <typeparamref name="T"/> in JSON (INVALID_ARGUMENT).</exception>
    public static async Task<T> ReadBodyAsync<T>(HttpRequest request, int limit)
        where T : IMessage<T>, new()
    {
        const string What = "The request body";
        if (request.ContentLength > limit)
        {
            throw new RequestTooLargeException(What, limit);
        }

        // The limit is counted here, on the body's bytes: Kestrel's own limit counts a chunked body's framing too (a
        // chunked body of 999 bytes breaks a limit of 1000), and reading stops one read past the limit anyway. What the
        // client sends after the refusal Kestrel reads and discards for a few seconds, so that the client sees the answer.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, limit));
        int length = 0;
        try
        {
            PipeReader body = request.BodyReader;
            while (true)
            {
                ReadResult read = await body.ReadAsync(request.HttpContext.RequestAborted);
                ReadOnlySequence<byte> data = read.Buffer;
                if (length + data.Length > limit)
                {
                    throw new RequestTooLargeException(What, limit);
                }

                if (length + (int)data.Length > buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, length + data.Length), limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                body.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            if (length == 0)
            {
                return new T();
            }

            try
            {
                using StreamReader text = new(new MemoryStream(buffer, 0, length, writable: false), StrictUtf8);
                return s_parser.Parse<T>(text);
            }
            catch (Exception e) when (IsDecodingError(e))
            {
                throw NotAMessage<T>(What, e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sets the field <paramref name="fieldPath"/> (proto names joined by dots, e.g. <c>stream.metadata.group</c>) of
    /// <paramref name="message"/> from a path parameter, creating the messages on the way.
    /// </summary>
    /// <exception cref="RpcException">The value does not fit the field's type (INVALID_ARGUMENT).</exception>
    public static void BindPathParameter(IMessage message, string fieldPath, string value)
    {
        if (!TryBind(message, fieldPath, value, $"path parameter '{fieldPath}'"))
        {
            throw new InvalidOperationException($"The gateway route binds '{fieldPath}', which {message.Descriptor.FullName} does not have; this is a bug.");
        }
    }

    /// <summary>
    /// Sets the fields the query string names (<c>?dryRun=true</c> or <c>?dry_run=true</c>, nested as
    /// <c>metadata.group=g</c>, a repeated field once per value), as grpc-gateway does for requests without a body;
    /// parameters that name no field are ignored, as there, and so are those in <paramref name="boundByPath"/>.
    /// </summary>
    /// <exception cref="RpcException">A value does not fit its field's type (INVALID_ARGUMENT).</exception>
    public static void BindQuery(IMessage message, IQueryCollection query, IReadOnlyList<string> boundByPath)
    {
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in query)
        {
            if (boundByPath.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            foreach (string? value in values)
            {
                TryBind(message, name, value ?? string.Empty, $"query parameter '{name}'");
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> is how Google.Protobuf's JSON parser (or the UTF-8 decoder under it) refuses its input.</summary>
    public static bool IsDecodingError(Exception e) =>
        e is InvalidProtocolBufferException or InvalidJsonException or FormatException or DecoderFallbackException;

    /// <summary>The INVALID_ARGUMENT error for a text that is not a <typeparamref name="T"/>.</summary>
    public static RpcException NotAMessage<T>(string what, Exception e)
        where T : IMessage<T>, new()
        => new(new Status(StatusCode.InvalidArgument, $"{what} is not a valid {new T().Descriptor.FullName} in JSON: {e.Message}"));

    // False when a name on the path is not a field (grpc-gateway ignores such query parameters).
    private static bool TryBind(IMessage message, string fieldPath, string value, string source)
    {
        string[] names = fieldPath.Split('.');
        IMessage target = message;
        for (int i = 0; i < names.Length - 1; i++)
        {
            FieldDescriptor? field = FindField(target.Descriptor, names[i]);
            if (field is null || field.FieldType != FieldType.Message || field.IsRepeated)
            {
                return false;
            }

            if (field.Accessor.GetValue(target) is not IMessage child)
            {
                child = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                field.Accessor.SetValue(target, child);
            }

            target = child;
        }

        FieldDescriptor? leaf = FindField(target.Descriptor, names[^1]);
        if (leaf is null || leaf.IsMap)
        {
            return false;
        }

        object converted = Convert(leaf, value, source);
        if (leaf.IsRepeated)
        {
            ((IList)leaf.Accessor.GetValue(target)).Add(converted);
        }
        else
        {
            leaf.Accessor.SetValue(target, converted);
        }

        return true;
    }

    private static FieldDescriptor? FindField(MessageDescriptor descriptor, string name) =>
        descriptor.FindFieldByName(name) ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);

    // Text to the field's CLR value, as grpc-gateway's runtime.String/Bool/Int64/Enum/... converters read parameters.
    private static object Convert(FieldDescriptor field, string value, string source)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        object? converted = field.FieldType switch
        {
            FieldType.String => value,
            FieldType.Bool => value switch
            {
                "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
                "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
                _ => null,
            },
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(value, NumberStyles.AllowLeadingSign, c, out int i) ? i : null,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => long.TryParse(value, NumberStyles.AllowLeadingSign, c, out long l) ? l : null,
            FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(value, NumberStyles.None, c, out uint u) ? u : null,
            FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(value, NumberStyles.None, c, out ulong ul) ? ul : null,
            FieldType.Double => double.TryParse(value, NumberStyles.Float, c, out double d) ? d : null,
            FieldType.Float => float.TryParse(value, NumberStyles.Float, c, out float f) ? f : null,
            FieldType.Bytes => TryBase64(value),
            FieldType.Enum => (field.EnumType.FindValueByName(value)
                    ?? (int.TryParse(value, NumberStyles.AllowLeadingSign, c, out int n) ? field.EnumType.FindValueByNumber(n) : null)) is { } e
                ? Enum.ToObject(field.EnumType.ClrType, e.Number)
                : null,

            // Well-known types (Timestamp, Duration, wrappers) read as their JSON string form.
            FieldType.Message => TryParseWellKnown(field.MessageType, value),
            _ => null,
        };
        return converted ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"{source}: '{value}' is not a valid {Describe(field)}"));
    }

    private static string Describe(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Enum => $"{field.EnumType.FullName} (one of {string.Join(", ", field.EnumType.Values.Select(v => v.Name))})",
        FieldType.Message => field.MessageType.FullName,
        _ => field.FieldType.ToString().ToLowerInvariant(),
    };

    private static ByteString? TryBase64(string value)
    {
        string standard = value.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        try
        {
            return ByteString.FromBase64(standard);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IMessage? TryParseWellKnown(MessageDescriptor type, string value)
    {
        try
        {
            return s_parser.Parse(new StringReader(System.Text.Json.JsonSerializer.Serialize(value)), type);
        }
        catch (Exception e) when (IsDecodingError(e))
        {
            return null;
        }
    }
}
