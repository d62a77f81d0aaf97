using System.CommandLine;
using System.Globalization;
using Banyan.Api.Database.V1;
using Banyan.Cli.Output;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan group inspect -g GROUP</c>: what each silo stores of a group (<c>GroupRegistryService/Inspect</c>, the
/// gateway's <c>GET /api/v1/group/content/{group}</c>): a row per node, segment and shard with its rows, parts and bytes
/// on disk, after the group's schemas.
/// </summary>
public static class GroupInspectCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliConsole console) => GroupReportCommand.Create("inspect", """
        Show what the group holds: its schemas, and per silo, segment and shard the rows, parts (memory and disk) and
        bytes on disk; the whole answer with -o yaml or -o json.

        Example:
          banyan group inspect -g sw_metric
        """,
        "/api/v1/group/content/",
        GroupRegistryServiceInspectResponse.Descriptor,
        static (output, name, answer) => Write(output, name, (GroupRegistryServiceInspectResponse)answer),
        console);

    private static void Write(ResultWriter output, string name, GroupRegistryServiceInspectResponse inspected)
    {
        SchemaInfo schemas = inspected.SchemaInfo ?? new SchemaInfo();
        output.WriteLine($"group {name}: streams [{string.Join(", ", schemas.Streams)}], measures [{string.Join(", ", schemas.Measures)}], "
            + $"index rules [{string.Join(", ", schemas.IndexRules)}], bindings [{string.Join(", ", schemas.IndexRuleBindings)}], topn [{string.Join(", ", schemas.TopnAggregations)}]");
        List<IReadOnlyList<string>> rows = [];
        foreach (DataInfo node in inspected.DataInfo)
        {
            foreach (SegmentInfo segment in node.SegmentInfo)
            {
                foreach (ShardInfo shard in segment.ShardInfo)
                {
                    rows.Add([node.Node?.Metadata?.Name ?? string.Empty, segment.SegmentId, segment.TimeRangeStart, Text(shard.ShardId),
                        Text(shard.DataCount), Text(shard.PartCount), Text(shard.FilePartCount), Text(shard.DataSizeBytes)]);
                }
            }
        }

        if (rows.Count == 0)
        {
            output.WriteLine("no data");
        }
        else
        {
            output.WriteTable(["NODE", "SEGMENT", "START", "SHARD", "ROWS", "PARTS", "DISK PARTS", "BYTES"], rows);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
