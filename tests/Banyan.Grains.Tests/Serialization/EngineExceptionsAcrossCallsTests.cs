using Banyan.GrainInterfaces.Serialization;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Grains.Tests.TestGrains;
using Banyan.Storage;

namespace Banyan.Grains.Tests.Serialization;

/// <summary>
/// The engine's errors reach a grain's caller in another process with their type, file and offset
/// (<see cref="StorageCorruptionExceptionSurrogate"/>, <see cref="StorageFullExceptionSurrogate"/>): Orleans serializes
/// only exceptions of its own and the framework's namespaces, and without them a damaged part on another silo came back
/// as a <c>CodecNotFoundException</c> naming neither.
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class EngineExceptionsAcrossCallsTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_corruption_error_keeps_its_file_offset_detail_cause_and_stack()
    {
        StorageCorruptionException e = await Exceptions.CatchAsync<StorageCorruptionException>(
            () => fixture.Client.GetGrain<IEngineErrorGrain>("corrupt").Throw("corrupt"), s_bound);
        Assert.Equal(EngineErrorGrain.File, e.FilePath);
        Assert.Equal(4096, e.Offset);
        Assert.Equal("block 3: checksum 0x1 where 0x2 was written", e.Detail);
        Assert.Contains($"'{EngineErrorGrain.File}' at offset 4096", e.Message, StringComparison.Ordinal);
        Assert.Equal("System.IO.InvalidDataException: zstd frame is damaged", e.InnerException?.Message);
        Assert.Contains(nameof(EngineErrorGrain), e.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disk_full_error_keeps_its_file_and_cause()
    {
        StorageFullException full = await Exceptions.CatchAsync<StorageFullException>(
            () => fixture.Client.GetGrain<IEngineErrorGrain>("full").Throw("full"), s_bound);
        Assert.Equal(EngineErrorGrain.File, full.FilePath);
        Assert.Equal(new StorageFullException(EngineErrorGrain.File, new IOException("x")).Message, full.Message);
        Assert.Equal("System.IO.IOException: No space left on device", full.InnerException?.Message);
    }

    [Fact]
    public async Task The_shard_grains_disk_full_error_crosses_with_the_engines_as_its_cause()
    {
        // What a write that met a full disk on another silo throws; the write dispatcher answers it STATUS_DISK_FULL.
        ShardDiskFullException shard = await Exceptions.CatchAsync<ShardDiskFullException>(
            () => fixture.Client.GetGrain<IEngineErrorGrain>("shard-full").Throw("shard-full"), s_bound);
        StorageFullException cause = Assert.IsType<StorageFullException>(shard.InnerException);
        Assert.Equal(EngineErrorGrain.File, cause.FilePath);
    }

    [Fact]
    public async Task A_catalog_corruption_crosses_with_the_protobuf_parsers_error_as_its_cause()
    {
        // The metadata grain's activation fails with this when its stored catalog does not parse; a registry call
        // from another silo's gRPC service awaits it there.
        Banyan.GrainInterfaces.Schema.SchemaCatalogCorruptionException e = await Exceptions.CatchAsync<Banyan.GrainInterfaces.Schema.SchemaCatalogCorruptionException>(
            () => fixture.Client.GetGrain<IEngineErrorGrain>("catalog").Throw("catalog"), s_bound);
        Assert.Equal(2, e.Offset);
        Assert.IsType<Google.Protobuf.InvalidProtocolBufferException>(e.InnerException);
    }

    [Fact]
    public void The_converters_give_back_what_they_were_given()
    {
        StorageCorruptionException corrupt = new("f.bin", -1, "truncated");
        StorageCorruptionExceptionSurrogateConverter corruption = new();
        StorageCorruptionException back = corruption.ConvertFromSurrogate(corruption.ConvertToSurrogate(corrupt));
        Assert.Equal(("f.bin", -1L, "truncated", corrupt.Message), (back.FilePath, back.Offset, back.Detail, back.Message));
        Assert.Null(back.InnerException);

        StorageFullExceptionSurrogateConverter fullConverter = new();
        StorageFullException full = fullConverter.ConvertFromSurrogate(fullConverter.ConvertToSurrogate(new StorageFullException("w.wal", new IOException("ENOSPC"))));
        Assert.Equal("w.wal", full.FilePath);
        Assert.Equal("System.IO.IOException: ENOSPC", full.InnerException?.Message);
    }

    [Fact]
    public void Every_exception_type_of_the_grain_and_engine_assemblies_survives_Orleans_serialization()
    {
        // A new error type that a grain may throw must cross silos too: without a serializer it would turn the caller's
        // answer into a CodecNotFoundException. Each is tried with a cause from a library Banyan's errors wrap.
        Orleans.Serialization.Serializer serializer = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Orleans.Serialization.Serializer>(fixture.Client.ServiceProvider);
        Type[] types = [.. new[] { typeof(StorageCorruptionException).Assembly, typeof(ShardDiskFullException).Assembly, typeof(Banyan.Grains.Shards.ShardGrain).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic)];
        Assert.Contains(typeof(StorageCorruptionException), types);
        Assert.Contains(typeof(ShardDiskFullException), types);
        List<string> failed = [];
        foreach (Type type in types)
        {
            Exception cause = EngineErrorGrain.ProtobufParseError();
            Exception original = type.GetConstructor([typeof(string), typeof(Exception)]) is { } withCause
                ? (Exception)withCause.Invoke(["a message", cause])
                : (Exception)Activator.CreateInstance(type)!;
            try
            {
                Exception back = (Exception)serializer.Deserialize<object>(serializer.SerializeToArray<object>(original))!;
                if (back.GetType() != type || back.Message != original.Message)
                {
                    failed.Add($"{type.Name}: came back as {back.GetType().Name} '{back.Message}'");
                }
            }
            catch (Exception e)
            {
                failed.Add($"{type.Name}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failed.Count == 0, string.Join(Environment.NewLine, failed));
    }
}
