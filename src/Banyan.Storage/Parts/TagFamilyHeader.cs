namespace Banyan.Storage.Parts;

/// <summary>Where one block's column directory of one tag family is stored.</summary>
/// <param name="Name">Tag family name.</param>
/// <param name="Offset">Byte offset of the directory frame in &lt;family&gt;.tfm.</param>
/// <param name="Size">Size of that frame, header included.</param>
public sealed record TagFamilyHeader(string Name, long Offset, int Size);
