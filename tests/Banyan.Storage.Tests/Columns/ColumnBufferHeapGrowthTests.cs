using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Columns;

/// <summary>How a byte column's heap grows: doubling, at once to what the reserved rows will take, or exactly to what a writer reserved.</summary>
public class ColumnBufferHeapGrowthTests
{
    [Fact]
    public void Without_reserved_rows_the_heap_doubles()
    {
        Assert.Equal(256, ColumnBuffer.GrownHeapLength(0, 10, 0, 0));
        Assert.Equal(512, ColumnBuffer.GrownHeapLength(256, 260, 12, 0));
        Assert.Equal(5_000, ColumnBuffer.GrownHeapLength(256, 5_000, 1, 0)); // one long value: what it needs
    }

    [Fact]
    public void With_reserved_rows_the_heap_grows_to_their_projected_length_plus_an_eighth()
    {
        // 13 values of 20 bytes so far, 1,000 rows reserved: 20,000 bytes expected.
        Assert.Equal(22_500, ColumnBuffer.GrownHeapLength(256, 260, 12, 1_000));

        // Nearly every reserved row written: doubling is the larger.
        Assert.Equal(512, ColumnBuffer.GrownHeapLength(256, 260, 12, 14));
    }

    [Fact]
    public void The_length_never_passes_the_largest_array_unless_the_values_need_it()
    {
        Assert.Equal(Array.MaxLength, ColumnBuffer.GrownHeapLength(1 << 30, (1 << 30) + 1, 1_000, 1_000_000));
    }

    [Fact]
    public void Reserved_bytes_are_allocated_exactly_once_and_appends_within_them_do_not_regrow()
    {
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        column.Reserve(100); // rows reserved too: without the exact reservation the heap would grow to a projection
        column.ReserveBytes(100);
        Assert.Equal(100, column.HeapCapacity);
        column.AppendString("ab");
        ColumnBuffer source = new("default", "tag", ColumnValueType.String);
        string[] values = [.. Enumerable.Range(0, 49).Select(i => i % 2 == 0 ? "xy" : "z" + (char)('a' + (i % 26)))];
        foreach (string value in values)
        {
            source.AppendString(value);
        }

        column.AppendRange(source, 0, source.Count);
        Assert.Equal(100, column.HeapCapacity);
        Assert.Equal(["ab", .. values], Enumerable.Range(0, column.Count).Select(column.GetString));

        // Room already there: nothing changes; beyond it: exactly what is asked.
        column.ReserveBytes(0);
        Assert.Equal(100, column.HeapCapacity);
        column.ReserveBytes(7);
        Assert.Equal(107, column.HeapCapacity);
        Assert.Equal(["ab", .. values], Enumerable.Range(0, column.Count).Select(column.GetString));
        Assert.Throws<ArgumentOutOfRangeException>(() => column.ReserveBytes(-1));
    }

    [Fact]
    public void Reserving_bytes_in_a_numeric_column_changes_nothing()
    {
        ColumnBuffer column = new(null, "v", ColumnValueType.Int64);
        column.AppendInt64(5);
        column.ReserveBytes(1_000);
        Assert.Equal(0, column.HeapCapacity);
        Assert.Equal(5, column.GetInt64(0));
    }

    [Fact]
    public void Values_appended_across_a_projected_growth_read_back_unchanged()
    {
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        column.Reserve(2_000);
        string[] values = [.. Enumerable.Range(0, 2_000).Select(i => new string((char)('a' + (i % 26)), 5 + (i % 40)))];
        foreach (string value in values)
        {
            column.AppendString(value);
        }

        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(column.GetString));
    }

    // The grown heap is not zeroed: what it holds is exactly the bytes appended, in order, however it grew (doubling,
    // projected, a value longer than the heap, strings written at their maximum encoded length first), and a reused
    // column after Reset holds only its new values.
    [Fact]
    public void The_heap_holds_exactly_the_appended_bytes_after_every_growth()
    {
        var random = new Random(5);
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        for (int round = 0; round < 3; round++)
        {
            column.Reset();
            column.Reserve(random.Next(0, 500));
            var expected = new List<byte>();
            for (int i = 0; i < 600; i++)
            {
                string value = new((char)('a' + random.Next(26)), random.Next(i == 300 ? 5_000 : 0, i == 300 ? 6_000 : 40));
                if (random.Next(2) == 0)
                {
                    column.AppendString(value);
                }
                else
                {
                    column.AppendBytes(System.Text.Encoding.UTF8.GetBytes(value));
                }

                expected.AddRange(System.Text.Encoding.UTF8.GetBytes(value));
                Assert.Equal(expected.Count, column.HeapLength);
            }

            Assert.Equal(expected.ToArray(), column.Heap.ToArray());
        }
    }
}
