using System.Buffers.Binary;

namespace Banyan.Storage.CrashChild;

/// <summary>A WAL payload derived from one value, so the reader can check every byte: value, length, then bytes i*value.</summary>
internal static class WalPayload
{
    public static byte[] Create(long value)
    {
        int length = 12 + (int)(value % 500);
        byte[] bytes = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), length);
        for (int i = 12; i < length; i++)
        {
            bytes[i] = (byte)(i * value);
        }

        return bytes;
    }
}
