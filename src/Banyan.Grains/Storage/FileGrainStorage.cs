using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Banyan.GrainInterfaces.Storage;
using Banyan.Storage.Durability;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Banyan.Grains.Storage;

/// <summary>
/// Orleans grain storage in files, the embedded default: one file per grain state
/// (<c>&lt;root&gt;/&lt;grain type&gt;/&lt;grain key&gt;.&lt;state name&gt;.state</c>), format in
/// <c>docs/format/grain-state.md</c>. A write goes to a temporary file, is fsynced, renamed over the
/// old file, and the folder is fsynced, so a crash leaves the old or the new state, never a mix.
/// The ETag is a version number kept in the file; a write or clear with another ETag raises
/// Orleans' <see cref="InconsistentStateException"/>. Damaged bytes raise
/// <see cref="GrainStateCorruptionException"/> naming the file and offset.
/// </summary>
/// <remarks>
/// One writer per file at a time within the process (a semaphore per path, shared by every
/// instance, so silos of one process sharing a folder agree). Nothing coordinates processes: a
/// folder belongs to one silo process, which is why clusters use Redis storage instead.
/// File I/O runs on the thread pool so a grain's turn never waits on an fsync.
/// </remarks>
public sealed class FileGrainStorage : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_gates = new(StringComparer.Ordinal);
    private readonly string _root;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;

    /// <summary>Creates the provider over <paramref name="rootDirectory"/> (created on first write).</summary>
    public FileGrainStorage(string rootDirectory, IGrainStorageSerializer serializer, IActivatorProvider activators)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);
        _root = Path.GetFullPath(rootDirectory);
        _serializer = serializer;
        _activators = activators;
    }

    /// <summary>The folder holding the state files.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        SemaphoreSlim gate = GateOf(path);
        await gate.WaitAsync().ConfigureAwait(false);
        (long Version, ReadOnlyMemory<byte> Payload)? stored;
        try
        {
            stored = await Task.Run(() => ReadFile(path)).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        if (stored is not { } file)
        {
            grainState.State = _activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        T? state;
        try
        {
            state = _serializer.Deserialize<T>(file.Payload);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new GrainStateCorruptionException(path, GrainStateFile.HeaderSize, $"the payload does not decode as {typeof(T)}: {e.Message}", e);
        }

        grainState.State = state ?? _activators.GetActivator<T>().Create();
        grainState.ETag = FormatEtag(file.Version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        BinaryData payload = _serializer.Serialize(grainState.State);
        string? expected = grainState.ETag;
        SemaphoreSlim gate = GateOf(path);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            long written = await Task.Run(() =>
            {
                long? current = ReadFile(path)?.Version;
                CheckEtag(current, expected, grainId, stateName);
                long next = (current ?? 0) + 1;
                WriteAtomically(path, GrainStateFile.Encode(next, payload.ToMemory().Span));
                return next;
            }).ConfigureAwait(false);
            grainState.ETag = FormatEtag(written);
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
        string? expected = grainState.ETag;
        SemaphoreSlim gate = GateOf(path);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await Task.Run(() =>
            {
                long? current = ReadFile(path)?.Version;
                CheckEtag(current, expected, grainId, stateName);
                if (current is not null)
                {
                    File.Delete(path);
                    DirectorySync.Sync(Path.GetDirectoryName(path)!);
                }
            }).ConfigureAwait(false);
            grainState.State = _activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The file of one grain state: <c>&lt;root&gt;/&lt;grain type&gt;/&lt;grain key&gt;.&lt;state name&gt;.state</c>, each part escaped.</summary>
    internal string PathOf(string stateName, GrainId grainId)
        => Path.Combine(_root, Escape(grainId.Type.ToString()!), Escape(grainId.Key.ToString()!) + "." + Escape(stateName) + ".state");

    private static SemaphoreSlim GateOf(string path) => s_gates.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));

    private static (long Version, ReadOnlyMemory<byte> Payload)? ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return GrainStateFile.Decode(bytes, path);
    }

    private static void WriteAtomically(string path, byte[] file)
    {
        string directory = Path.GetDirectoryName(path)!;
        CreateDirectoryDurably(directory);
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (FileStream stream = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(file);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        DirectorySync.Sync(directory);
    }

    // A new folder is durable only once its parent's entry is synced too.
    private static void CreateDirectoryDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        string parent = Path.GetDirectoryName(directory)!;
        CreateDirectoryDurably(parent);
        Directory.CreateDirectory(directory);
        DirectorySync.Sync(parent);
    }

    private static void CheckEtag(long? stored, string? expected, GrainId grainId, string stateName)
    {
        string? storedText = stored is { } v ? FormatEtag(v) : null;
        if (!string.Equals(storedText, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"State '{stateName}' of grain {grainId} was changed by another writer (stored ETag {storedText ?? "none"}, this writer read {expected ?? "none"}); re-read the state.",
                storedText,
                expected);
        }
    }

    private static string FormatEtag(long version) => version.ToString(CultureInfo.InvariantCulture);

    // File names keep ASCII letters, digits, '-' and '_'; every other UTF-8 byte becomes %XX. A name
    // too long for a file system becomes "sha256-" + the hash of the original, unique and stable.
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
}
