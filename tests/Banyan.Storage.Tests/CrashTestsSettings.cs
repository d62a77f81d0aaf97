namespace Banyan.Storage.Tests;

/// <summary>BANYAN_LONG_TESTS=1 selects the long variants of stress, model and crash tests.</summary>
public static class CrashTestsSettings
{
    public static bool LongRun => Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1";
}
