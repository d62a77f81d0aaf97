using System.Linq.Expressions;
using System.Reflection;
using Banyan.Grains.Serialization;

namespace Banyan.Grains.Invocation;

/// <summary>
/// Everything the runtime needs about one grain interface method, computed once: its wire key,
/// argument and result codecs, scheduling flags, a compiled invoker for the grain side and a
/// result converter for the caller side (so no reflection runs per call).
/// </summary>
internal sealed class GrainMethodDescriptor
{
    private static readonly MethodInfo s_awaitTask = typeof(GrainMethodDescriptor).GetMethod(nameof(AwaitTaskOfT), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_awaitValueTask = typeof(GrainMethodDescriptor).GetMethod(nameof(AwaitValueTaskOfT), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_drainEnumerable = typeof(GrainMethodDescriptor).GetMethod(nameof(DrainEnumerable), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_convertTask = typeof(GrainMethodDescriptor).GetMethod(nameof(ConvertTask), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_convertValueTask = typeof(GrainMethodDescriptor).GetMethod(nameof(ConvertValueTask), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_convertEnumerable = typeof(GrainMethodDescriptor).GetMethod(nameof(ConvertEnumerable), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Func<object, object?[], object> _invoker;
    private readonly Func<object, ValueCodec?, Task<byte[]?>> _awaitResult;
    private readonly Func<Task<byte[]?>, ValueCodec?, GrainReferenceFactory, object> _convertResult;

    public GrainMethodDescriptor(Type interfaceType, MethodInfo method)
    {
        Method = method;
        DisplayName = interfaceType.Name + "." + method.Name;
        if (method.IsGenericMethodDefinition)
        {
            throw new NotSupportedException($"Grain method {DisplayName} is generic; grain methods must not have type parameters.");
        }

        ParameterInfo[] parameters = method.GetParameters();
        ParameterCodecs = new ValueCodec[parameters.Length];
        string[] parameterTypeNames = new string[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo parameter = parameters[i];
            if (parameter.ParameterType.IsByRef)
            {
                throw new NotSupportedException($"Parameter '{parameter.Name}' of grain method {DisplayName} is passed by reference; grain calls only pass values.");
            }

            try
            {
                ParameterCodecs[i] = ValueCodec.For(parameter.ParameterType);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Parameter '{parameter.Name}' of grain method {DisplayName}: {e.Message}", e);
            }

            parameterTypeNames[i] = parameter.ParameterType.FullName ?? parameter.ParameterType.Name;
        }

        Key = method.DeclaringType!.FullName + "." + method.Name + "(" + string.Join(",", parameterTypeNames) + ")";
        OneWay = method.IsDefined(typeof(OneWayAttribute));
        ReadOnly = method.IsDefined(typeof(ReadOnlyAttribute));
        AlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute));

        Type returnType = method.ReturnType;
        Type? resultType = null;
        if (returnType == typeof(Task))
        {
            Kind = ReturnKind.Task;
        }
        else if (returnType == typeof(ValueTask))
        {
            Kind = ReturnKind.ValueTask;
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            Kind = ReturnKind.TaskOfT;
            resultType = returnType.GetGenericArguments()[0];
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            Kind = ReturnKind.ValueTaskOfT;
            resultType = returnType.GetGenericArguments()[0];
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            Kind = ReturnKind.AsyncEnumerable;
            resultType = returnType.GetGenericArguments()[0];
        }
        else
        {
            throw new NotSupportedException($"Grain method {DisplayName} returns '{returnType.FullName}'; grain methods return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.");
        }

        if (OneWay && resultType is not null)
        {
            throw new NotSupportedException($"Grain method {DisplayName} is [OneWay] but returns a value; one-way methods return Task or ValueTask.");
        }

        if (resultType is not null)
        {
            try
            {
                ResultCodec = ValueCodec.For(Kind == ReturnKind.AsyncEnumerable ? typeof(List<>).MakeGenericType(resultType) : resultType);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Result of grain method {DisplayName}: {e.Message}", e);
            }
        }

        _invoker = CompileInvoker(interfaceType, method, parameters);
        (_awaitResult, _convertResult) = Kind switch
        {
            ReturnKind.Task => (static (r, _) => AwaitTask((Task)r), static (t, _, _) => t),
            ReturnKind.ValueTask => (static (r, _) => AwaitTask(((ValueTask)r).AsTask()), static (t, _, _) => new ValueTask(t)),
            ReturnKind.TaskOfT => (
                s_awaitTask.MakeGenericMethod(resultType!).CreateDelegate<Func<object, ValueCodec?, Task<byte[]?>>>(),
                s_convertTask.MakeGenericMethod(resultType!).CreateDelegate<Func<Task<byte[]?>, ValueCodec?, GrainReferenceFactory, object>>()),
            ReturnKind.ValueTaskOfT => (
                s_awaitValueTask.MakeGenericMethod(resultType!).CreateDelegate<Func<object, ValueCodec?, Task<byte[]?>>>(),
                s_convertValueTask.MakeGenericMethod(resultType!).CreateDelegate<Func<Task<byte[]?>, ValueCodec?, GrainReferenceFactory, object>>()),
            _ => (
                s_drainEnumerable.MakeGenericMethod(resultType!).CreateDelegate<Func<object, ValueCodec?, Task<byte[]?>>>(),
                s_convertEnumerable.MakeGenericMethod(resultType!).CreateDelegate<Func<Task<byte[]?>, ValueCodec?, GrainReferenceFactory, object>>()),
        };
    }

    public MethodInfo Method { get; }

    /// <summary>The wire name of the method: declaring interface, name and parameter types.</summary>
    public string Key { get; }

    /// <summary><c>Interface.Method</c>, for messages.</summary>
    public string DisplayName { get; }

    public ValueCodec[] ParameterCodecs { get; }

    public ValueCodec? ResultCodec { get; }

    public ReturnKind Kind { get; }

    public bool OneWay { get; }

    public bool ReadOnly { get; }

    public bool AlwaysInterleave { get; }

    public byte[] SerializeArguments(object?[]? args)
    {
        WireWriter writer = WireWriter.Rent();
        try
        {
            for (int i = 0; i < ParameterCodecs.Length; i++)
            {
                ParameterCodecs[i].Write(writer, args![i]);
            }

            return writer.ToArray();
        }
        finally
        {
            WireWriter.Return(writer);
        }
    }

    public object?[] DeserializeArguments(ReadOnlySpan<byte> data, GrainReferenceFactory references)
    {
        WireReader reader = new(data, references);
        object?[] args = ParameterCodecs.Length == 0 ? [] : new object?[ParameterCodecs.Length];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = ParameterCodecs[i].Read(ref reader);
        }

        if (!reader.End)
        {
            throw new WireFormatException($"{data.Length - reader.Position} unexpected bytes after the arguments of {DisplayName} at offset {reader.Position}");
        }

        return args;
    }

    /// <summary>Grain side: calls the method on <paramref name="grain"/> and encodes its result (null for no result).</summary>
    public Task<byte[]?> InvokeAsync(object grain, object?[] args) => _awaitResult(_invoker(grain, args), ResultCodec);

    /// <summary>Caller side: turns the pending encoded result into the declared return type.</summary>
    public object ConvertResult(Task<byte[]?> pending, GrainReferenceFactory references) => _convertResult(pending, ResultCodec, references);

    private static Func<object, object?[], object> CompileInvoker(Type interfaceType, MethodInfo method, ParameterInfo[] parameters)
    {
        ParameterExpression grain = Expression.Parameter(typeof(object), "grain");
        ParameterExpression args = Expression.Parameter(typeof(object?[]), "args");
        Expression[] arguments = new Expression[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            arguments[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), parameters[i].ParameterType);
        }

        Expression call = Expression.Call(Expression.Convert(grain, method.DeclaringType ?? interfaceType), method, arguments);
        return Expression.Lambda<Func<object, object?[], object>>(Expression.Convert(call, typeof(object)), grain, args).Compile();
    }

    private static async Task<byte[]?> AwaitTask(Task task)
    {
        await task.ConfigureAwait(true);
        return null;
    }

    private static async Task<byte[]?> AwaitTaskOfT<T>(object result, ValueCodec? codec)
    {
        T value = await ((Task<T>)result).ConfigureAwait(true);
        return Encode(codec!, value);
    }

    private static async Task<byte[]?> AwaitValueTaskOfT<T>(object result, ValueCodec? codec)
    {
        T value = await ((ValueTask<T>)result).ConfigureAwait(true);
        return Encode(codec!, value);
    }

    // The whole sequence is produced inside the grain's turn and sent as one list: simple and
    // correct for the bounded sequences grain methods return (Orleans streams it in batches).
    private static async Task<byte[]?> DrainEnumerable<T>(object result, ValueCodec? codec)
    {
        List<T> items = [];
        await foreach (T item in ((IAsyncEnumerable<T>)result).ConfigureAwait(true))
        {
            items.Add(item);
        }

        return Encode(codec!, items);
    }

    private static byte[] Encode(ValueCodec codec, object? value)
    {
        WireWriter writer = WireWriter.Rent();
        try
        {
            codec.Write(writer, value);
            return writer.ToArray();
        }
        finally
        {
            WireWriter.Return(writer);
        }
    }

    // Returns object because it is bound to a Func<..., object> delegate shared by all return kinds.
#pragma warning disable CA1859
    private static object ConvertTask<T>(Task<byte[]?> pending, ValueCodec? codec, GrainReferenceFactory references) => DecodeAsync<T>(pending, codec!, references);

    private static object ConvertValueTask<T>(Task<byte[]?> pending, ValueCodec? codec, GrainReferenceFactory references) => new ValueTask<T>(DecodeAsync<T>(pending, codec!, references));
#pragma warning restore CA1859

    private static object ConvertEnumerable<T>(Task<byte[]?> pending, ValueCodec? codec, GrainReferenceFactory references) => Enumerate<T>(pending, codec!, references);

    private static async Task<T> DecodeAsync<T>(Task<byte[]?> pending, ValueCodec codec, GrainReferenceFactory references)
    {
        byte[]? bytes = await pending.ConfigureAwait(true);
        return (T)codec.Deserialize(bytes, references)!;
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(Task<byte[]?> pending, ValueCodec codec, GrainReferenceFactory references)
    {
        byte[]? bytes = await pending.ConfigureAwait(true);
        List<T> items = (List<T>)codec.Deserialize(bytes, references)!;
        foreach (T item in items)
        {
            yield return item;
        }
    }
}
