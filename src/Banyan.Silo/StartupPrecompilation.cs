namespace Banyan.Silo;

/// <summary>What <see cref="StartupPrecompiler"/> compiled.</summary>
/// <param name="Assemblies">Assemblies compiled (none when every one was already compiled in this process).</param>
/// <param name="Methods">Methods and constructors compiled.</param>
/// <param name="Failed">Methods that could not be compiled ahead (left to their first call).</param>
/// <param name="FirstFailure">The first of those with its error, or null.</param>
/// <param name="Elapsed">How long the compilation took.</param>
public sealed record StartupPrecompilation(int Assemblies, int Methods, int Failed, string? FirstFailure, TimeSpan Elapsed);
