namespace Banyan.Grains.Runtime;

/// <summary>Life cycle of an activation.</summary>
internal enum ActivationState
{
    /// <summary>Constructing the grain, reading state, running OnActivateAsync; requests queue.</summary>
    Activating,

    /// <summary>Running requests.</summary>
    Valid,

    /// <summary>Running OnDeactivateAsync; requests queue and are re-routed afterwards.</summary>
    Deactivating,

    /// <summary>Gone; new requests must be routed elsewhere.</summary>
    Invalid,
}
