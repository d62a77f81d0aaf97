using Google.Protobuf.Reflection;
using ApiStatus = Banyan.Api.Model.V1.Status;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The text of <c>WriteResponse.status</c>: the enum value name of BanyanDB's <c>model.v1.Status</c>
/// (<c>"STATUS_SUCCEED"</c>), as upstream's <c>status.String()</c> gives it.
/// </summary>
public static class WriteStatusNames
{
    private static readonly string[] s_names = Build();

    /// <summary>The name of <paramref name="status"/>, e.g. <c>STATUS_INVALID_TIMESTAMP</c>.</summary>
    public static string Of(WriteStatus status) => s_names[(int)status] ?? throw new ArgumentOutOfRangeException(nameof(status), status, "not a model.v1.Status value");

    private static string[] Build()
    {
        EnumDescriptor descriptor = Banyan.Api.Model.V1.WriteReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(ApiStatus));
        string[] names = new string[256];
        foreach (WriteStatus status in Enum.GetValues<WriteStatus>())
        {
            names[(int)status] = descriptor.FindValueByNumber((int)status)?.Name
                ?? throw new InvalidOperationException($"WriteStatus.{status} ({(int)status}) is not a value of model.v1.Status; this is a bug.");
        }

        return names;
    }
}
