using System.Text;
using Grpc.Core;

namespace Banyan.Cli;

/// <summary>gRPC status codes by their canonical names (<c>ALREADY_EXISTS</c>), as BanyanDB's tools print them.</summary>
public static class StatusNames
{
    /// <summary>The canonical name of <paramref name="code"/>, e.g. <c>NOT_FOUND</c>.</summary>
    public static string Of(StatusCode code)
    {
        string pascal = code.ToString();
        StringBuilder name = new(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(pascal[i]));
        }

        return name.ToString();
    }

    /// <summary>The name of the numeric gRPC code <paramref name="code"/>, or <c>CODE_n</c> for one gRPC does not define.</summary>
    public static string Of(int code) =>
        Enum.IsDefined(typeof(StatusCode), code) ? Of((StatusCode)code) : $"CODE_{code}";
}
