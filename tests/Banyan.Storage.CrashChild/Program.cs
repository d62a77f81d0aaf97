namespace Banyan.Storage.CrashChild;

/// <summary>
/// <c>wal &lt;dir&gt; &lt;seed&gt; &lt;firstValue&gt;</c>: appends WAL records from several threads,
/// printing <c>ACK &lt;value&gt;</c> once each append returned. <c>shard ...</c>: writes stream
/// batches to a shard while flushing and merging, printing <c>ACK &lt;batch&gt;</c> per acknowledged
/// write. Both run until killed. <c>diskfull &lt;mountPoint&gt; &lt;scenario&gt;</c>: runs one
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

        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: Banyan.Storage.CrashChild <wal|shard> <dir> <seed> <firstValue> | diskfull <mountPoint> <scenario>");
            return 2;
        }

        string directory = args[1];
        int seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        long firstValue = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        AckWriter acks = new();
        switch (args[0])
        {
            case "wal":
                WalWorkload.Run(directory, seed, firstValue, acks);
                return 0;
            case "shard":
                ShardWorkload.Run(directory, seed, firstValue, acks);
                return 0;
            default:
                Console.Error.WriteLine($"unknown mode '{args[0]}'");
                return 2;
        }
    }
}
