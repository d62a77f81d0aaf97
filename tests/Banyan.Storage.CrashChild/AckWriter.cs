namespace Banyan.Storage.CrashChild;

/// <summary>Writes one line per acknowledged write to stdout, unbuffered, so the parent sees it before a kill.</summary>
internal sealed class AckWriter
{
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly object _gate = new();

    public void Ack(string line)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(line + "\n");
        lock (_gate)
        {
            _stdout.Write(bytes);
            _stdout.Flush();
        }
    }
}
