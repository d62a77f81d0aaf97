namespace Banyan.Conformance.Seeding;

/// <summary>A seeding step (schema creation or a write stream) did not do what upstream's suite relies on.</summary>
public sealed class SeedStepFailedException : Exception
{
    /// <summary>Creates the exception for <paramref name="step"/> (e.g. "step 3 (StreamCounter: default/sw sw.json)").</summary>
    public SeedStepFailedException(string step, string message, Exception? innerException = null)
        : base($"Seeding failed at {step}: {message}", innerException)
    {
        Step = step;
    }

    /// <summary>The step that failed.</summary>
    public string Step { get; }
}
