using Banyan.Grains.Serialization;

namespace Banyan.Grains.Runtime;

/// <summary>
/// A request between silos or from a client: the target by interface and key (the receiving silo
/// resolves the grain class), the method's wire key and the encoded arguments.
/// </summary>
internal sealed class RequestMessage
{
    public MessageKind Kind { get; init; } = MessageKind.Call;

    public required string InterfaceName { get; init; }

    public required string GrainKey { get; init; }

    public required string MethodKey { get; init; }

    public required byte[] Arguments { get; init; }

    public bool OneWay { get; init; }

    public bool ReadOnly { get; init; }

    public bool AlwaysInterleave { get; init; }

    /// <summary>The silo where the call was made (for clients: the gateway); prefer-local placement targets it.</summary>
    public SiloAddress? Origin { get; set; }

    /// <summary>The silo the sender means to reach; a silo with another generation refuses the request.</summary>
    public SiloAddress? TargetSilo { get; set; }

    /// <summary>The directory placed the grain on the target: create the activation there without asking again.</summary>
    public bool Placed { get; set; }

    /// <summary>Number of times the request was forwarded, to stop routing loops during membership changes.</summary>
    public int HopCount { get; set; }

    public RequestMessage CloneForForward(SiloAddress target, bool placed) => new()
    {
        Kind = Kind,
        InterfaceName = InterfaceName,
        GrainKey = GrainKey,
        MethodKey = MethodKey,
        Arguments = Arguments,
        OneWay = OneWay,
        ReadOnly = ReadOnly,
        AlwaysInterleave = AlwaysInterleave,
        Origin = Origin,
        TargetSilo = target,
        Placed = placed,
        HopCount = HopCount + 1,
    };

    public byte[] Encode()
    {
        WireWriter w = WireWriter.Rent();
        try
        {
            w.WriteByte((byte)Kind);
            byte flags = (byte)((OneWay ? 1 : 0) | (ReadOnly ? 2 : 0) | (AlwaysInterleave ? 4 : 0) | (Placed ? 8 : 0));
            w.WriteByte(flags);
            w.WriteVarUInt((ulong)HopCount);
            w.WriteString(InterfaceName);
            w.WriteString(GrainKey);
            w.WriteString(MethodKey);
            w.WriteString(Origin?.ToString() ?? string.Empty);
            w.WriteString(TargetSilo?.ToString() ?? string.Empty);
            w.WriteBytes(Arguments);
            return w.ToArray();
        }
        finally
        {
            WireWriter.Return(w);
        }
    }

    private static SiloAddress? ParseSilo(string text, string field)
    {
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return SiloAddress.Parse(text);
        }
        catch (FormatException e)
        {
            throw new WireFormatException($"{field} field: {e.Message}", e);
        }
    }

    public static RequestMessage Decode(ReadOnlySpan<byte> data)
    {
        WireReader r = new(data, null);
        byte kind = r.ReadByte();
        if (kind is < 1 or > 4)
        {
            throw new WireFormatException($"unknown message kind {kind} at offset 0");
        }

        byte flags = r.ReadByte();
        int hops = (int)Math.Min(r.ReadVarUInt(), 1000);
        string iface = r.ReadString();
        string key = r.ReadString();
        string method = r.ReadString();
        string origin = r.ReadString();
        string target = r.ReadString();
        byte[] args = r.ReadBytes().ToArray();
        if (!r.End)
        {
            throw new WireFormatException($"{data.Length - r.Position} unexpected bytes after the request at offset {r.Position}");
        }

        return new RequestMessage
        {
            Kind = (MessageKind)kind,
            OneWay = (flags & 1) != 0,
            ReadOnly = (flags & 2) != 0,
            AlwaysInterleave = (flags & 4) != 0,
            Placed = (flags & 8) != 0,
            HopCount = hops,
            InterfaceName = iface,
            GrainKey = key,
            MethodKey = method,
            Origin = ParseSilo(origin, "origin"),
            TargetSilo = ParseSilo(target, "target silo"),
            Arguments = args,
        };
    }
}
