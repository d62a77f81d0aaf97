using System.Diagnostics;

namespace Banyan.Benchmarks.Load;

/// <summary>Waits for a silo's data folder to settle: flushes, merges and drops done.</summary>
public static class DataFolderQuiet
{
    /// <summary>
    /// True once <paramref name="folder"/>'s files and their sizes have not changed for <paramref name="quiet"/>; false
    /// when they still changed after <paramref name="max"/>.
    /// </summary>
    public static async Task<bool> WaitAsync(string folder, TimeSpan quiet, TimeSpan max)
    {
        Stopwatch total = Stopwatch.StartNew();
        Stopwatch unchanged = Stopwatch.StartNew();
        (long, int) last = (-1, -1);
        while (total.Elapsed < max)
        {
            DiskUsage now = DiskUsage.Of(folder);
            if ((now.Apparent, now.Files) != last)
            {
                last = (now.Apparent, now.Files);
                unchanged.Restart();
            }
            else if (unchanged.Elapsed >= quiet)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }
}
