using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Banyan.Cli.Schema;

/// <summary>
/// One kind of schema the registry keeps (group, stream, measure, index rule, index rule binding, TopN aggregation):
/// its command name, the gateway's routes for it, and the protobuf messages of its registry service. The schema commands
/// are the same for every kind (<see cref="Commands.SchemaCommands"/>); what differs lives here.
/// </summary>
/// <param name="Command">The command and route name, e.g. <c>index-rule</c> (<c>/api/v1/index-rule/schema</c>).</param>
/// <param name="Noun">How messages name one, e.g. <c>index rule</c>.</param>
/// <param name="Schema">The schema message, e.g. <c>banyandb.database.v1.IndexRule</c>.</param>
/// <param name="RequestField">The schema's field in the Create and Update requests (proto name), e.g. <c>index_rule</c>.</param>
/// <param name="CreateRequest">The Create request message.</param>
/// <param name="UpdateRequest">The Update request message.</param>
/// <param name="CreateResponse">The Create response message.</param>
/// <param name="UpdateResponse">The Update response message.</param>
/// <param name="GetResponse">The Get response message (one field: the schema).</param>
/// <param name="ListResponse">The List response message (one repeated field: the schemas).</param>
/// <param name="DeleteResponse">The Delete response message.</param>
public sealed record SchemaKind(
    string Command,
    string Noun,
    MessageDescriptor Schema,
    string RequestField,
    MessageDescriptor CreateRequest,
    MessageDescriptor UpdateRequest,
    MessageDescriptor CreateResponse,
    MessageDescriptor UpdateResponse,
    MessageDescriptor GetResponse,
    MessageDescriptor ListResponse,
    MessageDescriptor DeleteResponse)
{
    /// <summary>Whether schemas of this kind live in a group (all but groups themselves).</summary>
    public bool IsGrouped => Command != "group";

    /// <summary>The gateway's path of the kind's registry, e.g. <c>/api/v1/measure/schema</c>.</summary>
    public string SchemaPath => $"/api/v1/{Command}/schema";

    /// <summary>The path of one schema: <c>…/schema/{group}/{name}</c>, or <c>…/schema/{name}</c> for a group.</summary>
    public string PathOf(string group, string name) => IsGrouped
        ? $"{SchemaPath}/{Uri.EscapeDataString(group)}/{Uri.EscapeDataString(name)}"
        : $"{SchemaPath}/{Uri.EscapeDataString(name)}";

    /// <summary>The path that lists the schemas of <paramref name="group"/> (every group, for groups).</summary>
    public string ListPath(string group) => IsGrouped ? $"{SchemaPath}/lists/{Uri.EscapeDataString(group)}" : $"{SchemaPath}/lists";

    /// <summary>The Create or Update request carrying <paramref name="schema"/>.</summary>
    public IMessage WrapRequest(MessageDescriptor request, IMessage schema)
    {
        ArgumentNullException.ThrowIfNull(request);
        IMessage message = (IMessage)Activator.CreateInstance(request.ClrType)!;
        request.FindFieldByName(RequestField).Accessor.SetValue(message, schema);
        return message;
    }

    /// <summary>The schema a Get response holds (null when absent).</summary>
    public IMessage? SchemaOf(IMessage getResponse)
    {
        ArgumentNullException.ThrowIfNull(getResponse);
        return (IMessage?)GetResponse.Fields.InFieldNumberOrder()[0].Accessor.GetValue(getResponse);
    }

    /// <summary>The schemas a List response holds.</summary>
    public IReadOnlyList<IMessage> SchemasOf(IMessage listResponse)
    {
        ArgumentNullException.ThrowIfNull(listResponse);
        return [.. ((System.Collections.IList)ListResponse.Fields.InFieldNumberOrder()[0].Accessor.GetValue(listResponse)).Cast<IMessage>()];
    }

    /// <summary>The <c>mod_revision</c> of a Create, Update or Delete response (0 when it has none).</summary>
    public static long RevisionOf(IMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Descriptor.FindFieldByName("mod_revision")?.Accessor.GetValue(response) is long revision ? revision : 0;
    }
}
