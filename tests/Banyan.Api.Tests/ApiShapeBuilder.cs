using Google.Protobuf.Reflection;

namespace Banyan.Api.Tests;

/// <summary>
/// Reads an <see cref="ApiShape"/> from runtime protobuf descriptors. The same code describes Banyan's compiled
/// descriptors (in the tests) and upstream's descriptor set (in the snapshot generator), so both sides are
/// described by one set of rules.
/// </summary>
public static class ApiShapeBuilder
{
    /// <summary>
    /// Describes every message, enum and service of <paramref name="files"/> whose package is in
    /// <paramref name="packages"/>. <paramref name="httpRoutes"/> supplies the HTTP bindings of an RPC
    /// (service full name, method name); null means none.
    /// </summary>
    public static ApiShape Build(
        IEnumerable<FileDescriptor> files,
        IReadOnlySet<string> packages,
        Func<string, string, IReadOnlyList<HttpRoute>>? httpRoutes = null)
    {
        List<MessageShape> messages = [];
        List<EnumShape> enums = [];
        List<ServiceShape> services = [];
        HashSet<string> seenFiles = new(StringComparer.Ordinal);
        foreach (FileDescriptor file in files)
        {
            if (!packages.Contains(file.Package) || !seenFiles.Add(file.Name))
            {
                continue;
            }

            foreach (MessageDescriptor message in file.MessageTypes)
            {
                AddMessage(message, file.Name, messages, enums);
            }

            foreach (EnumDescriptor enumType in file.EnumTypes)
            {
                enums.Add(DescribeEnum(enumType, file.Name));
            }

            foreach (ServiceDescriptor service in file.Services)
            {
                services.Add(DescribeService(service, file.Name, httpRoutes));
            }
        }

        messages.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        enums.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        services.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ApiShape(messages, enums, services);
    }

    private static void AddMessage(MessageDescriptor message, string file, List<MessageShape> messages, List<EnumShape> enums)
    {
        // A map<K, V> field is compiled into a nested "XxxEntry" message; the map field's shape already says
        // everything about it, so the entry is not listed on its own.
        if (message.IsMapEntry)
        {
            return;
        }

        List<FieldShape> fields = [];
        foreach (FieldDescriptor field in message.Fields.InFieldNumberOrder())
        {
            fields.Add(DescribeField(field));
        }

        List<string> oneofs = [];
        foreach (OneofDescriptor oneof in message.Oneofs)
        {
            if (!oneof.IsSynthetic)
            {
                oneofs.Add(oneof.Name);
            }
        }

        messages.Add(new MessageShape(message.FullName, file, fields, oneofs));
        foreach (MessageDescriptor nested in message.NestedTypes)
        {
            AddMessage(nested, file, messages, enums);
        }

        foreach (EnumDescriptor nestedEnum in message.EnumTypes)
        {
            enums.Add(DescribeEnum(nestedEnum, file));
        }
    }

    private static FieldShape DescribeField(FieldDescriptor field)
    {
        string label;
        string type;
        if (field.IsMap)
        {
            MessageDescriptor entry = field.MessageType;
            label = "map";
            type = $"map<{TypeName(entry.FindFieldByNumber(1))}, {TypeName(entry.FindFieldByNumber(2))}>";
        }
        else
        {
            type = TypeName(field);
            if (field.IsRepeated)
            {
                label = "repeated";
            }
            else if (field.ContainingOneof is { IsSynthetic: true })
            {
                label = "optional";
            }
            else
            {
                label = "singular";
            }
        }

        return new FieldShape(field.Name, field.FieldNumber, label, type, field.RealContainingOneof?.Name, field.JsonName);
    }

    private static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        FieldType.Double => "double",
        FieldType.Float => "float",
        FieldType.Int64 => "int64",
        FieldType.UInt64 => "uint64",
        FieldType.Int32 => "int32",
        FieldType.Fixed64 => "fixed64",
        FieldType.Fixed32 => "fixed32",
        FieldType.Bool => "bool",
        FieldType.String => "string",
        FieldType.Bytes => "bytes",
        FieldType.UInt32 => "uint32",
        FieldType.SFixed32 => "sfixed32",
        FieldType.SFixed64 => "sfixed64",
        FieldType.SInt32 => "sint32",
        FieldType.SInt64 => "sint64",
        _ => throw new InvalidOperationException($"Bug: field type {field.FieldType} of {field.FullName} has no name."),
    };

    private static EnumShape DescribeEnum(EnumDescriptor enumType, string file)
    {
        List<EnumValueShape> values = [];
        foreach (EnumValueDescriptor value in enumType.Values)
        {
            values.Add(new EnumValueShape(value.Name, value.Number));
        }

        values.Sort((a, b) => a.Number != b.Number ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.Name, b.Name));
        return new EnumShape(enumType.FullName, file, values);
    }

    private static ServiceShape DescribeService(
        ServiceDescriptor service,
        string file,
        Func<string, string, IReadOnlyList<HttpRoute>>? httpRoutes)
    {
        List<MethodShape> methods = [];
        foreach (MethodDescriptor method in service.Methods)
        {
            methods.Add(new MethodShape(
                method.Name,
                method.InputType.FullName,
                method.OutputType.FullName,
                method.IsClientStreaming,
                method.IsServerStreaming,
                httpRoutes?.Invoke(service.FullName, method.Name) ?? []));
        }

        return new ServiceShape(service.FullName, file, methods);
    }
}
