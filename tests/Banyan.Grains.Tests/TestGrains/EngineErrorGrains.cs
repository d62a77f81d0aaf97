using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Storage;

namespace Banyan.Grains.Tests.TestGrains;

/// <summary>Raises the engine's errors as a shard grain would, so a test can see what reaches the caller.</summary>
[Alias("banyan.tests.IEngineErrorGrain")]
public interface IEngineErrorGrain : IGrainWithStringKey
{
    /// <summary>Throws the error named <paramref name="kind"/>: "corrupt", "full", "shard-full" or "catalog".</summary>
    [Alias("Throw")]
    Task Throw(string kind);
}

/// <summary>Test grain.</summary>
public sealed class EngineErrorGrain : Grain, IEngineErrorGrain
{
    /// <summary>The file the errors name.</summary>
    public const string File = "/data/g/seg-2026120203/shard-0/part-7/fv.bin";

    /// <inheritdoc/>
    public Task Throw(string kind) => kind switch
    {
        "corrupt" => throw new StorageCorruptionException(File, 4096, "block 3: checksum 0x1 where 0x2 was written", new InvalidDataException("zstd frame is damaged")),
        "full" => throw new StorageFullException(File, new IOException("No space left on device")),
        "shard-full" => throw new ShardDiskFullException("Shard 'g/2026120203/0': disk full", new StorageFullException(File, new IOException("No space left on device"))),
        "catalog" => throw CatalogCorruption(),
        _ => throw new ArgumentException($"unknown kind '{kind}'", nameof(kind)),
    };

    /// <summary>The error protobuf's parser raises for a truncated message (its constructors are not public).</summary>
    public static Google.Protobuf.InvalidProtocolBufferException ProtobufParseError()
    {
        try
        {
            Banyan.Api.Common.V1.Group.Parser.ParseFrom([0x0A, 0x05, 0x01]);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            return e;
        }

        throw new InvalidOperationException("three bytes of a truncated field parsed");
    }

    // What the schema catalog's decoder raises for bytes protobuf cannot parse: the parser's error as the cause.
    private static SchemaCatalogCorruptionException CatalogCorruption()
    {
        Google.Protobuf.InvalidProtocolBufferException e = ProtobufParseError();
        return new SchemaCatalogCorruptionException(2, e.Message, e);
    }
}
