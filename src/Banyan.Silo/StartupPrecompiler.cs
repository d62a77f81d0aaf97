using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Banyan.Silo;

/// <summary>
/// Compiles the methods of the silo's own assemblies on a background thread as the silo starts, so that its first writes
/// and queries find the write and query paths compiled instead of compiling each method on a request's thread at its first
/// call (<c>Silo:PrecompileAtStart</c>, on by default).
/// </summary>
/// <remarks>
/// <para>Why: the framework's libraries ship precompiled (ReadyToRun), Banyan's do not (a ReadyToRun silo was measured and
/// not kept: precompiled code stays costlier than the JIT's once the silo has run a while, docs/benchmarks.md). With quick
/// JIT off (<c>Banyan.Silo.csproj</c>) each of Banyan's methods is compiled optimised at its first call, on the thread that
/// makes it, so a silo written to right after its start compiled hundreds of methods inside its first requests and spent
/// 20-40 % more CPU a point than a silo that had run a while. <see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle)"/>
/// compiles a method as its first call would, at the same optimisation, without running it; the JIT is thread-safe, so a
/// request that calls a method the thread is compiling waits for that one compilation rather than doing it again.</para>
/// <para>What is left to the first call: generic methods and the methods of generic types (their instantiations are not
/// known here), and the generated protobuf messages of <c>Banyan.Api</c> (some 6,000 methods, most never called by a silo).
/// A method that cannot be compiled is counted and skipped; it is compiled (or fails) at its first call as without this.
/// Compiling may run the static initialisers of the classes a method reads (the JIT does so for classes without an
/// explicit static constructor, to read their static read-only fields as constants), earlier than their first use would:
/// the silo's static initialisers depend on nothing its start sets up later (they read at most an environment variable,
/// <c>BANYAN_ZSTD</c>).
/// Each assembly is compiled once per process: another host in the same process (tests) finds the work done.</para>
/// </remarks>
public sealed class StartupPrecompiler
{
    private static readonly ConcurrentDictionary<Assembly, bool> s_started = new();

    private readonly TaskCompletionSource<StartupPrecompilation> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StartupPrecompiler()
    {
    }

    /// <summary>The silo's own assemblies, in the order they are compiled: the gRPC host first, the engine last.</summary>
    public static IReadOnlyList<Assembly> SiloAssemblies { get; } =
    [
        typeof(SiloHost).Assembly,
        typeof(Grains.Hosting.BanyanSiloOptions).Assembly,
        typeof(GrainInterfaces.Writes.MeasureWriteBatch).Assembly,
        typeof(Storage.Shards.Shard).Assembly,
    ];

    /// <summary>Completes with what was compiled once the thread is done (never faults).</summary>
    public Task<StartupPrecompilation> Completion => _completion.Task;

    /// <summary>Starts compiling <paramref name="assemblies"/> (those not already started in this process) on a background thread.</summary>
    public static StartupPrecompiler Start(IEnumerable<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        Assembly[] mine = [.. assemblies.Where(a => s_started.TryAdd(a, true))];
        StartupPrecompiler precompiler = new();
        if (mine.Length == 0)
        {
            // Every assembly compiled (or being compiled) already in this process: no thread for nothing.
            precompiler._completion.SetResult(new StartupPrecompilation(0, 0, 0, null, TimeSpan.Zero));
            return precompiler;
        }

        Thread thread = new(() => precompiler._completion.SetResult(CompileOrReport(mine)))
        {
            IsBackground = true, // a silo stopped within its first seconds does not wait for it
            Name = "banyan-precompile",
        };
        thread.Start();
        return precompiler;
    }

    // On the background thread nothing may escape (an exception there would end the process): a failure of the walk
    // itself, not of one method, ends the compilation early and is reported as a failure.
    private static StartupPrecompilation CompileOrReport(Assembly[] assemblies)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            return Compile(assemblies);
        }
#pragma warning disable CA1031 // The process must not end because compiling ahead, an optimisation, failed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new StartupPrecompilation(assemblies.Length, 0, 1, $"the walk over the assemblies stopped: {e.GetType().Name}: {e.Message}", Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Compiles every method of <paramref name="assemblies"/> that has a body and no open generic parameter, on the calling thread.</summary>
    public static StartupPrecompilation Compile(IReadOnlyCollection<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        long started = Stopwatch.GetTimestamp();
        int methods = 0;
        int failed = 0;
        string? firstFailure = null;
        foreach (Assembly assembly in assemblies)
        {
            foreach (MethodBase method in CompilableMethods(assembly))
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    methods++;
                }
#pragma warning disable CA1031 // Whatever stops one method's compilation here, its first call meets again (or not): it is only counted.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failed++;
                    firstFailure ??= $"{method.DeclaringType?.FullName}.{method.Name}: {e.GetType().Name}: {e.Message}";
                }
            }
        }

        return new StartupPrecompilation(assemblies.Count, methods, failed, firstFailure, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The methods and constructors of <paramref name="assembly"/> that <see cref="Compile"/> compiles.</summary>
    public static IEnumerable<MethodBase> CompilableMethods(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types; // the types that did load
        }

        foreach (Type? type in types)
        {
            if (type is null || type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (MethodBase method in type.GetMethods(Declared).Concat<MethodBase>(type.GetConstructors(Declared)))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && (method.MethodImplementationFlags & (MethodImplAttributes.InternalCall | MethodImplAttributes.Runtime)) == 0)
                {
                    yield return method;
                }
            }
        }
    }
}
