using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Columns;

public class ColumnBufferAppendRangeTests
{
    [Theory]
    [InlineData(ColumnValueType.String)]
    [InlineData(ColumnValueType.Binary)]
    public void A_range_of_byte_rows_with_nulls_and_empty_values_is_appended_after_existing_rows(ColumnValueType type)
    {
        string?[] values = ["alpha", null, string.Empty, "é-ünïcode", null, new string('x', 1000), "last"];
        ColumnBuffer source = Filled(type, values);
        ColumnBuffer target = Filled(type, ["already", null]);

        target.AppendRange(source, 1, 5);

        Assert.Equal(7, target.Count);
        string?[] expected = ["already", null, .. values[1..6]];
        for (int row = 0; row < expected.Length; row++)
        {
            Assert.Equal(expected[row] is null, target.IsNull(row));
            if (expected[row] is { } text)
            {
                Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), target.GetBytes(row).ToArray());
            }
        }

        // The target can grow further after the sized append.
        target.AppendRange(source, 6, 1);
        Assert.Equal("last"u8.ToArray(), target.GetBytes(7).ToArray());
    }

    [Fact]
    public void A_range_beyond_the_source_is_refused()
    {
        ColumnBuffer source = Filled(ColumnValueType.String, ["a", "b"]);
        ColumnBuffer target = new(null, "t", ColumnValueType.String);

        Assert.Throws<ArgumentOutOfRangeException>(() => target.AppendRange(source, 1, 2));
    }

    private static ColumnBuffer Filled(ColumnValueType type, string?[] values)
    {
        ColumnBuffer column = new(null, "c", type);
        foreach (string? value in values)
        {
            if (value is null)
            {
                column.AppendNull();
            }
            else
            {
                column.AppendBytes(System.Text.Encoding.UTF8.GetBytes(value));
            }
        }

        return column;
    }
}
