namespace Banyan.Client;

/// <summary>
/// A client setting is missing or out of range. <see cref="Setting"/> is its full configuration key (e.g.
/// <c>Banyan:Client:Cluster:RedisConnectionString</c>) and the message says what is wrong and what is expected.
/// </summary>
public sealed class BanyanClientSettingException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="setting"/>.</summary>
    public BanyanClientSettingException(string setting, string reason)
        : base($"{setting}: {reason}")
    {
        Setting = setting;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public BanyanClientSettingException(string message)
        : base(message)
    {
        Setting = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BanyanClientSettingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = string.Empty;
    }

    /// <summary>Creates an empty exception.</summary>
    public BanyanClientSettingException()
    {
        Setting = string.Empty;
    }

    /// <summary>The full configuration key of the setting (section path and name).</summary>
    public string Setting { get; }
}
