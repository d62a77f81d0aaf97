using Banyan.Storage.Values;
namespace Banyan.Storage.Query;

/// <summary>A decoded row (an element or a data point) as the residual filter sees it.</summary>
public interface ITagRow
{
    /// <summary>The value of tag <paramref name="name"/>, or null when the row lacks it.</summary>
    TagValue? GetTag(string name);
}
