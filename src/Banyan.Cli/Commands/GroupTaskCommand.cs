using System.CommandLine;
using Banyan.Api.Database.V1;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan group task -g GROUP</c>: the group's last deletion (<c>GroupRegistryService/Query</c>, the gateway's
/// <c>GET /api/v1/group/task/{group}</c>): its phase, message, when and what it deleted by kind.
/// </summary>
public static class GroupTaskCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliConsole console)
    {
        return GroupReportCommand.Create("task", """
            Show the group's last deletion: its phase, its message, when it ran and what it deleted by kind; the whole
            task with -o yaml or -o json. A deletion is finished when 'group delete' returns; a group never deleted has
            no task (exit 1).

            Example:
              banyan group task -g sw_metric
            """,
            "/api/v1/group/task/",
            GroupRegistryServiceQueryResponse.Descriptor,
            static (output, name, answer) =>
            {
                GroupDeletionTask task = ((GroupRegistryServiceQueryResponse)answer).Task ?? new GroupDeletionTask();
                output.WriteLine($"group {name}: {PhaseName(task.CurrentPhase)} at {task.UpdatedAt?.ToDateTimeOffset():u} (started {task.CreatedAt?.ToDateTimeOffset():u}): {task.Message}");
                if (task.DeletedCounts.Count > 0)
                {
                    output.WriteLine("deleted: " + string.Join(", ", task.DeletedCounts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
                }
            },
            console);
    }

    // BanyanDB's enum value name (PHASE_COMPLETED), as its JSON shows it.
    private static string PhaseName(GroupDeletionTask.Types.Phase phase)
        => GroupDeletionTask.Descriptor.EnumTypes[0].FindValueByNumber((int)phase)?.Name ?? ((int)phase).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
