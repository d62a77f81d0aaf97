using Banyan.Storage.Durability;
using Banyan.Storage.Rows;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// <c>wal &lt;dir&gt; &lt;seed&gt; &lt;firstValue&gt;</c>: appends WAL records from several threads,
/// printing <c>ACK &lt;value&gt;</c> once each append returned. <c>shard ...</c> (stream batches) and
/// <c>measure ...</c> (measure batches overwriting each other): writes to a shard while flushing and
/// merging, printing <c>ACK &lt;batch&gt;</c> per acknowledged write. All run until killed; with
/// <c>--kill-at point:n[:after]</c> the child kills itself at that file operation
/// (<see cref="KillPointFileSystem"/>). <c>diskfull &lt;mountPoint&gt; &lt;scenario&gt;</c>: runs one
/// disk-full scenario on a small tmpfs and exits (see <see cref="DiskFullWorkload"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "diskfull")
        {
            return DiskFullWorkload.Run(args[1], args[2], new AckWriter());
        }

        if (args.Length is not (4 or 6) || (args.Length == 6 && args[4] != "--kill-at"))
        {
            Console.Error.WriteLine("usage: Banyan.Storage.CrashChild <wal|shard|measure> <dir> <seed> <firstValue> [--kill-at point:n[:after]] | diskfull <mountPoint> <scenario>");
            return 2;
        }

        string directory = args[1];
        int seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        long firstValue = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        AckWriter acks = new();
        KillPointFileSystem? killPoint = args.Length == 6 ? new KillPointFileSystem(directory, args[5], acks) : null;
        using IDisposable? mount = killPoint is null ? null : FileSystem.Mount(directory, killPoint);
        if (killPoint is not null)
        {
            killPoint.Opening = true;
        }

        void Ready()
        {
            if (killPoint is not null)
            {
                killPoint.Opening = false;
            }

            acks.Ack("READY");
        }

        void Ack(long value) => acks.Ack("ACK " + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Exception? failure = args[0] switch
        {
            "wal" => WalWorkload.Run(directory, seed, firstValue, Ready, Ack, () => false),
            "shard" => ShardWorkload.Run(directory, DataKind.Stream, seed, firstValue, Ready, Ack, () => false),
            "measure" => ShardWorkload.Run(directory, DataKind.Measure, seed, firstValue, Ready, Ack, () => false),
            _ => new ArgumentException($"unknown mode '{args[0]}'"),
        };
        Console.Error.WriteLine(failure);
        return 1;
    }
}
