using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Banyan.Grains;

/// <summary>Options of <see cref="FileGrainStorage"/>.</summary>
public sealed class FileGrainStorageOptions
{
    /// <summary>Folder holding the state files; created when missing.</summary>
    public string RootDirectory { get; set; } = Path.Combine("data", "grain-state");
}

/// <summary>
/// Grain storage in files, the embedded default: one file per grain state
/// (<c>&lt;root&gt;/&lt;grain type&gt;/&lt;key&gt;.&lt;state name&gt;.state</c>), replaced atomically by writing a temporary
/// file, fsyncing it, renaming it over the old one and fsyncing the folder. The ETag is a version
/// number stored in the file header; a write or clear whose ETag does not match the stored one
/// raises <see cref="InconsistentStateException"/>. Format: <c>docs/format/grain-state.md</c>.
/// Concurrency control covers writers in this process; clusters use the PostgreSQL provider.
/// </summary>
public sealed class FileGrainStorage : IGrainStorage
{
    /// <summary>"BGST" read as a little-endian uint32.</summary>
    internal const uint Magic = 0x54534742;
    internal const ushort FormatVersion = 1;
    internal const int HeaderSize = 24;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_locks = new(StringComparer.Ordinal);
    private readonly string _root;

    /// <summary>Creates the provider over <see cref="FileGrainStorageOptions.RootDirectory"/>.</summary>
    public FileGrainStorage(FileGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = Path.GetFullPath(options.RootDirectory);
    }

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        SemaphoreSlim gate = s_locks.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!File.Exists(path))
            {
                grainState.State = StateSerializer.CreateDefault<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            byte[] bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            (long version, ReadOnlyMemory<byte> payload) = Decode(bytes, path);
            grainState.State = StateSerializer.Deserialize<T>(payload.Span, $"file '{path}' offset {HeaderSize}");
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        SemaphoreSlim gate = s_locks.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            long? stored = await ReadVersionAsync(path).ConfigureAwait(false);
            CheckEtag(stored, grainState.ETag, grainId, stateName);
            long next = (stored ?? 0) + 1;
            byte[] file = Encode(next, StateSerializer.Serialize(grainState.State));
            string directory = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(directory);
            string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            await using (FileStream stream = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(file).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            DirectorySync.Fsync(directory);
            grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        SemaphoreSlim gate = s_locks.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            long? stored = await ReadVersionAsync(path).ConfigureAwait(false);
            CheckEtag(stored, grainState.ETag, grainId, stateName);
            if (stored is not null)
            {
                File.Delete(path);
                DirectorySync.Fsync(Path.GetDirectoryName(path)!);
            }

            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Builds a state file: header (magic, format version, flags, ETag version, payload length, CRC-32C) then payload. The CRC covers header bytes 0..19 and the payload.</summary>
    internal static byte[] Encode(long version, ReadOnlySpan<byte> payload)
    {
        byte[] file = new byte[HeaderSize + payload.Length];
        Span<byte> span = file;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], Checksum(span));
        return file;
    }

    /// <summary>Validates a state file; any inconsistency raises <see cref="GrainStateCorruptionException"/> naming the file and offset.</summary>
    internal static (long Version, ReadOnlyMemory<byte> Payload) Decode(byte[] file, string path)
    {
        if (file.Length < HeaderSize)
        {
            throw Corrupt(path, file.Length, $"file is {file.Length} bytes, shorter than the {HeaderSize}-byte header");
        }

        ReadOnlySpan<byte> span = file;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic != Magic)
        {
            throw Corrupt(path, 0, $"magic 0x{magic:X8}, expected 0x{Magic:X8}");
        }

        ushort format = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (format != FormatVersion)
        {
            throw Corrupt(path, 4, $"format version {format}, expected {FormatVersion}");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        if (flags != 0)
        {
            throw Corrupt(path, 6, $"flags 0x{flags:X4}, expected 0 (no flags are defined in format version 1)");
        }

        long version = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        if (version < 1)
        {
            throw Corrupt(path, 8, $"ETag version {version}, expected at least 1");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        if (length != (uint)(file.Length - HeaderSize))
        {
            throw Corrupt(path, 16, $"payload length {length}, but {file.Length - HeaderSize} bytes follow the header");
        }

        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(span[20..]);
        uint actual = Checksum(span);
        if (expected != actual)
        {
            throw Corrupt(path, 20, $"CRC-32C of header and payload is 0x{actual:X8}, the header says 0x{expected:X8}");
        }

        return (version, file.AsMemory(HeaderSize));
    }

    private static GrainStateCorruptionException Corrupt(string path, long offset, string reason)
        => new($"Grain state file '{path}' is corrupt at offset {offset}: {reason}.");

    private static async Task<long?> ReadVersionAsync(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        return Decode(bytes, path).Version;
    }

    private static void CheckEtag(long? stored, string? expected, GrainId grainId, string stateName)
    {
        string? storedText = stored?.ToString(CultureInfo.InvariantCulture);
        if (!string.Equals(storedText, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException($"State '{stateName}' of grain {grainId} was changed by another writer.", storedText, expected);
        }
    }

    private string PathOf(string stateName, GrainId grainId)
        => Path.Combine(_root, Escape(grainId.Type), Escape(grainId.Key) + "." + Escape(stateName) + ".state");

    // File names keep letters, digits, '-' and '_'; every other UTF-8 byte becomes %XX. Names too
    // long for a file system become a SHA-256 of the original, which stays unique and stable.
    private static string Escape(string name)
    {
        StringBuilder builder = new(name.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b == '-' || b == '_')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.Length <= 150 ? builder.ToString() : "sha256-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
    }

    // CRC-32C over header bytes 0..19 (everything before the CRC field) and the payload.
    private static uint Checksum(ReadOnlySpan<byte> file) => ~Crc32CUpdate(Crc32CUpdate(0xFFFFFFFF, file[..20]), file[HeaderSize..]);

    private static uint Crc32CUpdate(uint crc, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = (uint)BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return crc;
    }
}

/// <summary>fsync of a directory, so a rename is durable. .NET has no API for it, so it goes through libc on Unix.</summary>
internal static partial class DirectorySync
{
    public static void Fsync(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open folder '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FsyncFd(fd) != 0)
            {
                throw new IOException($"fsync of folder '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
