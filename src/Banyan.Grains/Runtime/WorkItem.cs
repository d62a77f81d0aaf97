namespace Banyan.Grains.Runtime;

/// <summary>A unit of work for an activation: a request or a timer tick, with its interleaving flags.</summary>
internal abstract class WorkItem
{
    public bool ReadOnly { get; init; }

    public bool AlwaysInterleave { get; init; }

    /// <summary>Whether finishing this item counts as activity for idle collection.</summary>
    public bool KeepAlive { get; init; } = true;

    /// <summary>Runs on the activation's scheduler; must not throw (it reports its own outcome).</summary>
    public abstract Task RunAsync(ActivationData activation);

    /// <summary>The activation went away before this item ran: requests are re-routed, ticks dropped.</summary>
    public abstract void Abandon(SiloRuntime silo);
}

/// <summary>A grain call waiting for, or running on, an activation.</summary>
internal sealed class RequestWorkItem : WorkItem
{
    private readonly TaskCompletionSource<ResponseMessage> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RequestWorkItem(RequestMessage request)
    {
        Request = request;
        ReadOnly = request.ReadOnly;
        AlwaysInterleave = request.AlwaysInterleave;
    }

    public RequestMessage Request { get; }

    public Task<ResponseMessage> Response => _completion.Task;

    public override async Task RunAsync(ActivationData activation)
    {
        try
        {
            if (!ActivationData.Interface(Request.InterfaceName).TryGetMethod(Request.MethodKey, out Invocation.GrainMethodDescriptor? method))
            {
                throw new MissingMethodException($"Grain {activation.GrainId} has no method '{Request.MethodKey}' (client and silo run different grain interface versions?).");
            }

            object?[] args = method.DeserializeArguments(Request.Arguments, activation.Silo.ReferenceFactory);
            byte[]? result = await method.InvokeAsync(activation.Instance!, args);
            _completion.TrySetResult(new ResponseMessage { Status = ResponseStatus.Ok, Result = result });
        }
        catch (Exception e)
        {
            _completion.TrySetResult(ResponseMessage.FromException(e));
        }
    }

    public override void Abandon(SiloRuntime silo) => silo.Reroute(this);

    public void Complete(ResponseMessage response) => _completion.TrySetResult(response);

    public void CompleteFrom(Task<ResponseMessage> response)
    {
        response.ContinueWith(
            static (t, state) =>
            {
                RequestWorkItem self = (RequestWorkItem)state!;
                self._completion.TrySetResult(t.IsCompletedSuccessfully ? t.Result : ResponseMessage.FromException(t.Exception?.InnerException ?? new TaskCanceledException()));
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
