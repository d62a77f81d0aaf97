namespace Banyan.Grains.Invocation;

/// <summary>Sends an encoded call for a grain reference and returns the encoded result (or throws the grain's exception).</summary>
internal interface IGrainCallInvoker
{
    Task<byte[]?> InvokeAsync(GrainProxy target, GrainMethodDescriptor method, byte[] arguments);
}
