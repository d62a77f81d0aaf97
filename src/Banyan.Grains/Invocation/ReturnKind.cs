namespace Banyan.Grains.Invocation;

/// <summary>The return shapes a grain interface method may have.</summary>
internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
    AsyncEnumerable,
}
