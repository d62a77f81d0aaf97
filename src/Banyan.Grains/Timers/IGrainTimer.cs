namespace Banyan.Grains;

/// <summary>A timer registered by a grain; it is disposed with the activation.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period; a tick in progress completes first.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
