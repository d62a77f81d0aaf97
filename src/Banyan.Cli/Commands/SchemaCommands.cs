using System.CommandLine;
using System.Text.Json.Nodes;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Banyan.Cli.Schema;
using Google.Protobuf;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan &lt;kind&gt; create|update|get|list|delete</c> for every schema kind, over the gateway's registry routes, as
/// bydbctl has them: create and update read one or more schemas from <c>-f</c> (bydbctl's files: the bare schema in
/// YAML or JSON, several YAML documents per file, a folder, or standard input); get, list and delete take flags.
/// </summary>
public static class SchemaCommands
{
    /// <summary>The commands of <paramref name="kind"/>, under <c>banyan &lt;kind&gt;</c>.</summary>
    public static IEnumerable<Command> For(SchemaKind kind, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(kind);
        yield return Apply(kind, update: false, console);
        yield return Apply(kind, update: true, console);
        yield return Get(kind, console);
        yield return List(kind, console);
        yield return Delete(kind, console);
    }

    private static Command Apply(SchemaKind kind, bool update, CliConsole console)
    {
        string verb = update ? "update" : "create";
        string sample = kind.IsGrouped ? $"{kind.Command}.yaml" : "group.yaml";
        Command command = CommandHelp.Create(verb, $"""
            {(update ? "Update" : "Create")} {kind.Noun}s from a file: BanyanDB's {kind.Schema.FullName} in YAML or JSON, as bydbctl takes it.
            A file may hold several YAML documents (separated by ---); a folder means every .yaml, .yml and .json file in it;
            - reads standard input. Each {kind.Noun} is sent on its own; the command goes on after a refusal and exits 1 if any failed.
            {(kind.IsGrouped ? "A schema without metadata.group gets the one given with -g." : string.Empty)}

            Example:
              banyan {kind.Command} {verb} -f {sample}
            """);
        Option<string> file = CommonOptions.File($"The {kind.Noun} schema(s) to {verb}: a YAML or JSON file, a folder, or - for standard input");
        Option<string>? group = kind.IsGrouped ? CommonOptions.Group("The group of schemas whose metadata names none") : null;
        command.Options.Add(file);
        if (group is not null)
        {
            command.Options.Add(group);
        }

        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            return await ApplyAsync(context, kind, update, parse.GetValue(file)!, group is null ? null : parse.GetValue(group), cancellation);
        });
        return command;
    }

    private static async Task<int> ApplyAsync(CommandContext context, SchemaKind kind, bool update, string path, string? defaultGroup, CancellationToken cancellation)
    {
        // Every document is read and checked before anything is sent, so a mistake in the fifth schema of a file does
        // not leave the first four created.
        List<(InputDocument Document, IMessage Schema, string Group, string Name)> schemas = [];
        foreach (InputDocument document in DocumentFiles.Read(path, context.Console.Input))
        {
            JsonObject node = Unwrap(kind, document);
            JsonObject? metadata = node["metadata"] as JsonObject;
            if (metadata is null)
            {
                throw document.Error($"document {document.Index}: the {kind.Noun} has no metadata (metadata.name{(kind.IsGrouped ? " and metadata.group" : string.Empty)})");
            }

            string name = metadata["name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? metadata["name"]!.GetValue<string>() : string.Empty;
            if (name.Length == 0)
            {
                throw document.Error($"document {document.Index}: metadata.name is missing", "metadata");
            }

            string group = string.Empty;
            if (kind.IsGrouped)
            {
                group = metadata["group"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? metadata["group"]!.GetValue<string>() : string.Empty;
                if (group.Length == 0)
                {
                    if (string.IsNullOrEmpty(defaultGroup))
                    {
                        throw document.Error($"document {document.Index}: {kind.Noun} '{name}' has no metadata.group; give it in the file or with -g", name);
                    }

                    group = defaultGroup;
                    metadata["group"] = group;
                }
            }

            schemas.Add((document, ProtoJson.ParseDocument(document, kind.Schema, node), group, name));
        }

        using GatewayClient gateway = context.Gateway();
        int failed = 0;
        foreach ((InputDocument document, IMessage schema, string group, string name) in schemas)
        {
            string shown = kind.IsGrouped ? $"{group}.{name}" : name;
            try
            {
                IMessage request = kind.WrapRequest(update ? kind.UpdateRequest : kind.CreateRequest, schema);
                string answer = update
                    ? await gateway.SendAsync(HttpMethod.Put, kind.PathOf(group, name), ProtoJson.Format(request), cancellation)
                    : await gateway.SendAsync(HttpMethod.Post, kind.SchemaPath, ProtoJson.Format(request), cancellation);
                if (context.Output.Format == OutputFormat.Table)
                {
                    long revision = SchemaKind.RevisionOf(ProtoJson.ParseAnswer(answer, update ? kind.UpdateResponse : kind.CreateResponse));
                    context.Output.WriteLine($"{kind.Noun} {shown} is {verbPast(update)} (revision {revision})");
                }
                else
                {
                    context.Output.WriteDocument(answer);
                }
            }
            catch (ServerException e)
            {
                failed++;
                context.Error($"{kind.Noun} {shown} ({InputFileException.Format(document.Source, document.Line, $"document {document.Index}")}): {e.Message}");
            }
        }

        if (failed > 0 && schemas.Count > 1)
        {
            context.Error($"{failed} of {schemas.Count} {kind.Noun}s failed");
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.ServerError;

        static string verbPast(bool update) => update ? "updated" : "created";
    }

    // A bydbctl file holds the bare schema; a file made for grpcurl or the gateway holds the request around it
    // ({"measure": {...}}). Both are taken.
    private static JsonObject Unwrap(SchemaKind kind, InputDocument document)
    {
        if (document.Node is not JsonObject obj)
        {
            throw document.Error($"document {document.Index} is not a mapping of a {kind.Schema.FullName}");
        }

        string jsonName = kind.CreateRequest.FindFieldByName(kind.RequestField).JsonName;
        if (obj.Count == 1 && (obj[kind.RequestField] ?? obj[jsonName]) is JsonObject inner && kind.Schema.FindFieldByName(kind.RequestField) is null)
        {
            return (JsonObject)inner.DeepClone();
        }

        return obj;
    }

    private static Command Get(SchemaKind kind, CliConsole console)
    {
        Command command = CommandHelp.Create("get", kind.IsGrouped
            ? $"""
              Show one {kind.Noun}: a table, or the whole schema with -o yaml or -o json.

              Example:
                banyan {kind.Command} get -g sw_metric -n service_cpm_minute -o yaml
              """
            : """
              Show one group: a table, or the whole schema with -o yaml or -o json.

              Example:
                banyan group get -g sw_metric
              """);
        (Option<string> group, Option<string> name) = NameOptions(kind, command);
        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            (string g, string n) = Target(kind, parse.GetValue(group), parse.GetValue(name));
            using GatewayClient gateway = context.Gateway();
            string answer = await gateway.SendAsync(HttpMethod.Get, kind.PathOf(g, n), null, cancellation);
            if (context.Output.Format == OutputFormat.Table)
            {
                IMessage? schema = kind.SchemaOf(ProtoJson.ParseAnswer(answer, kind.GetResponse));
                SchemaTables.Write(context.Output, kind, schema is null ? [] : [schema]);
            }
            else
            {
                context.Output.WriteDocument(answer);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(SchemaKind kind, CliConsole console)
    {
        Command command = CommandHelp.Create("list", kind.IsGrouped
            ? $"""
              List the {kind.Noun}s of a group.

              Example:
                banyan {kind.Command} list -g sw_metric
              """
            : """
              List every group.

              Example:
                banyan group list
              """);
        Option<string>? group = null;
        if (kind.IsGrouped)
        {
            group = CommonOptions.Group($"The group whose {kind.Noun}s to list", required: true);
            command.Options.Add(group);
        }

        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            using GatewayClient gateway = context.Gateway();
            string answer = await gateway.SendAsync(HttpMethod.Get, kind.ListPath(group is null ? string.Empty : parse.GetValue(group)!), null, cancellation);
            if (context.Output.Format == OutputFormat.Table)
            {
                IReadOnlyList<IMessage> schemas = kind.SchemasOf(ProtoJson.ParseAnswer(answer, kind.ListResponse));
                if (schemas.Count == 0)
                {
                    context.Output.WriteLine(kind.IsGrouped ? $"no {kind.Noun}s in group {parse.GetValue(group!)}" : "no groups");
                }
                else
                {
                    SchemaTables.Write(context.Output, kind, schemas);
                }
            }
            else
            {
                context.Output.WriteDocument(answer);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(SchemaKind kind, CliConsole console)
    {
        Command command = CommandHelp.Create("delete", kind.IsGrouped
            ? $"""
              Delete one {kind.Noun}. Exits 1 when it does not exist.

              Example:
                banyan {kind.Command} delete -g sw_metric -n service_cpm_minute
              """
            : """
              Delete a group and every schema in it (--dry-run lists what would go).

              Example:
                banyan group delete -g sw_metric --dry-run
              """);
        (Option<string> group, Option<string> name) = NameOptions(kind, command);
        Option<bool> force = new("--force") { Description = "Delete the group even if it holds data" };
        Option<bool> dryRun = new("--dry-run") { Description = "Only list what would be deleted" };
        Option<bool> dataOnly = new("--data-only") { Description = "Delete the data but keep the schemas" };
        if (!kind.IsGrouped)
        {
            command.Options.Add(force);
            command.Options.Add(dryRun);
            command.Options.Add(dataOnly);
        }

        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            (string g, string n) = Target(kind, parse.GetValue(group), parse.GetValue(name));
            string path = kind.PathOf(g, n);
            if (!kind.IsGrouped)
            {
                path += $"?force={Flag(parse.GetValue(force))}&dryRun={Flag(parse.GetValue(dryRun))}&dataOnly={Flag(parse.GetValue(dataOnly))}";
            }

            using GatewayClient gateway = context.Gateway();
            string answer = await gateway.SendAsync(HttpMethod.Delete, path, null, cancellation);
            IMessage response = ProtoJson.ParseAnswer(answer, kind.DeleteResponse);
            bool deleted = kind.IsGrouped ? (bool)response.Descriptor.FindFieldByName("deleted").Accessor.GetValue(response) : true;
            if (context.Output.Format != OutputFormat.Table)
            {
                context.Output.WriteDocument(answer);
            }
            else if (!kind.IsGrouped && parse.GetValue(dryRun))
            {
                context.Output.WriteLine($"group {n}: a deletion would remove (dry run, nothing deleted):");
                context.Output.WriteYaml(answer);
            }
            else if (!kind.IsGrouped && parse.GetValue(dataOnly))
            {
                context.Output.WriteLine($"group {n}: its data is deleted, its schemas are kept");
            }
            else if (deleted)
            {
                context.Output.WriteLine($"{kind.Noun} {(kind.IsGrouped ? $"{g}.{n}" : n)} is deleted");
            }

            if (!deleted)
            {
                context.Error($"{kind.Noun} {g}.{n} does not exist; nothing was deleted");
                return ExitCodes.ServerError;
            }

            return ExitCodes.Success;
        });
        return command;

        static string Flag(bool value) => value ? "true" : "false";
    }

    // get and delete: -g GROUP -n NAME; for groups, the group is named by -g (as bydbctl) or -n.
    private static (Option<string> Group, Option<string> Name) NameOptions(SchemaKind kind, Command command)
    {
        Option<string> group = CommonOptions.Group(kind.IsGrouped ? $"The {kind.Noun}'s group" : "The group", required: kind.IsGrouped);
        Option<string> name = CommonOptions.Name(kind.IsGrouped ? $"The {kind.Noun}'s name" : "The group (same as -g)", required: kind.IsGrouped);
        command.Options.Add(group);
        command.Options.Add(name);
        return (group, name);
    }

    private static (string Group, string Name) Target(SchemaKind kind, string? group, string? name)
    {
        if (kind.IsGrouped)
        {
            return (group!, name!);
        }

        string? chosen = string.IsNullOrEmpty(group) ? name : group;
        if (string.IsNullOrEmpty(chosen))
        {
            throw CliException.Usage("name the group with -g GROUP");
        }

        if (!string.IsNullOrEmpty(group) && !string.IsNullOrEmpty(name) && group != name)
        {
            throw CliException.Usage($"-g '{group}' and -n '{name}' name different groups; give one");
        }

        return (string.Empty, chosen);
    }
}
