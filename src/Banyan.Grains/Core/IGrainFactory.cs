namespace Banyan.Grains;

/// <summary>Creates references to grains (as Orleans' <c>IGrainFactory</c>). References are cheap and never activate anything by themselves.</summary>
public interface IGrainFactory
{
    /// <summary>Returns a reference to the grain of interface <typeparamref name="TGrainInterface"/> with a string key.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey;

    /// <summary>Returns a reference to the grain of interface <typeparamref name="TGrainInterface"/> with an integer key.</summary>
    TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey;
}

/// <summary>A client connected to a cluster: a grain factory whose calls go through gateways (as Orleans' <c>IClusterClient</c>).</summary>
public interface IClusterClient : IGrainFactory
{
    /// <summary>The services of the client, e.g. the stream providers.</summary>
    IServiceProvider ServiceProvider { get; }
}
