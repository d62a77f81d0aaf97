namespace Banyan.Grains;

/// <summary>Why an activation is deactivated (the subset of Orleans' codes this runtime produces, with Orleans' names).</summary>
public enum DeactivationReasonCode : byte
{
    /// <summary>No reason provided.</summary>
    None,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>Activation of the grain failed.</summary>
    ActivationFailed,

    /// <summary>The activation was idle for longer than its collection age.</summary>
    ActivationIdle = 4,

    /// <summary>The grain asked for it (<see cref="Grain.DeactivateOnIdle"/>).</summary>
    ApplicationRequested = 9,
}

/// <summary>Reason of a deactivation: a code, a description and the exception that caused it, if any.</summary>
public readonly struct DeactivationReason
{
    /// <summary>Creates a reason.</summary>
    public DeactivationReason(DeactivationReasonCode code, string text)
        : this(code, null, text)
    {
    }

    /// <summary>Creates a reason that carries an exception.</summary>
    public DeactivationReason(DeactivationReasonCode code, Exception? exception, string text)
    {
        ReasonCode = code;
        Exception = exception;
        Description = text;
    }

    /// <summary>The reason code.</summary>
    public DeactivationReasonCode ReasonCode { get; }

    /// <summary>A human-readable description.</summary>
    public string Description { get; }

    /// <summary>The exception that caused the deactivation, if any.</summary>
    public Exception? Exception { get; }

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? $"{ReasonCode}: {Description}" : $"{ReasonCode}: {Description}. Exception: {Exception}";
}
