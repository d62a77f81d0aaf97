namespace Banyan.Storage.Durability;

/// <summary>
/// A folder of files that becomes visible all at once: files are written in
/// <c>&lt;directory&gt;.tmp</c>; <see cref="Commit"/> fsyncs that folder, renames it to its final name and
/// fsyncs the parent, so after a crash the folder is either complete under its final name or absent
/// (its <c>.tmp</c> leftover is deleted by the next writer or by whoever opens the parent). Disposing
/// without committing deletes the temporary folder. Each file must be fsynced by its writer before
/// <see cref="Commit"/> (the folder's fsync covers names, not contents).
/// </summary>
public sealed class StagingDirectory : IDisposable
{
    private readonly bool _fsync;
    private readonly FileSystem _fileSystem;
    private bool _committed;
    private bool _disposed;

    /// <summary>Starts the folder that will be <paramref name="directory"/>.</summary>
    /// <param name="directory">The final path; it must not exist.</param>
    /// <param name="fsync">False only for tests and benchmarks that do not need durability.</param>
    /// <exception cref="IOException"><paramref name="directory"/> already exists.</exception>
    public StagingDirectory(string directory, bool fsync = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        FinalPath = Path.GetFullPath(directory);
        TempPath = FinalPath + AtomicFile.TempSuffix;
        _fsync = fsync;
        if (Directory.Exists(FinalPath))
        {
            throw new IOException($"folder '{FinalPath}' already exists");
        }

        _fileSystem = FileSystem.At(TempPath);

        // A leftover from a crash before the rename is never visible, so it is safe to drop.
        _fileSystem.DeleteDirectory(TempPath);
        _fileSystem.CreateDirectory(TempPath);
    }

    /// <summary>The name the folder gets on <see cref="Commit"/>.</summary>
    public string FinalPath { get; }

    /// <summary>Where the files are written until then.</summary>
    public string TempPath { get; }

    /// <summary>The path of file <paramref name="name"/> inside the temporary folder.</summary>
    public string PathOf(string name) => Path.Combine(TempPath, name);

    /// <summary>Creates file <paramref name="name"/> in the temporary folder (it must not exist), for writing front to back.</summary>
    public FileAppender CreateFile(string name) => new(_fileSystem.CreateFile(PathOf(name), overwrite: false));

    /// <summary>Makes the folder visible under <see cref="FinalPath"/>, durably.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        if (_fsync)
        {
            DirectorySync.Sync(TempPath);
        }

        _fileSystem.MoveDirectory(TempPath, FinalPath);
        _committed = true;
        if (_fsync)
        {
            DirectorySync.Sync(Path.GetDirectoryName(FinalPath)!);
        }
    }

    /// <summary>Deletes the temporary folder unless <see cref="Commit"/> ran.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_committed)
        {
            _fileSystem.DeleteDirectory(TempPath);
        }
    }
}
