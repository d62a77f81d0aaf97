namespace Banyan.Grains;

/// <summary>Anything that can be addressed by a <see cref="GrainId"/>: grain references and grain instances.</summary>
public interface IAddressable
{
}

/// <summary>Marker interface of every grain interface (as Orleans' <c>IGrain</c>).</summary>
public interface IGrain : IAddressable
{
}

/// <summary>A grain interface whose grains are keyed by a string.</summary>
public interface IGrainWithStringKey : IGrain
{
}

/// <summary>A grain interface whose grains are keyed by a 64-bit integer.</summary>
public interface IGrainWithIntegerKey : IGrain
{
}
