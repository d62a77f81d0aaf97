namespace Banyan.Grains.Storage;

/// <summary>The grain storage provider name Banyan's grains use: <c>[PersistentState("…", BanyanGrainStorage.Name)]</c>. The file or the Redis provider is registered under it, as configured.</summary>
public static class BanyanGrainStorage
{
    /// <summary>The provider name.</summary>
    public const string Name = "banyan";
}
