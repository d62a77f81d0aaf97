namespace Banyan.Storage.TimeSegments;

/// <summary>A duration of <see cref="Num"/> hours or days, as BanyanDB's <c>IntervalRule</c>.</summary>
/// <param name="Unit">Hours or days.</param>
/// <param name="Num">How many; at least 1.</param>
public readonly record struct IntervalRule(IntervalUnit Unit, int Num)
{
    /// <summary>The rule as a time span.</summary>
    public TimeSpan Duration => Unit switch
    {
        IntervalUnit.Hour => TimeSpan.FromHours(Num),
        IntervalUnit.Day => TimeSpan.FromDays(Num),
        _ => throw new ArgumentOutOfRangeException(nameof(Unit), Unit, "interval unit must be Hour or Day"),
    };

    /// <summary>Throws a clear error when the rule is unusable; <paramref name="field"/> names it in the message.</summary>
    public void Validate(string field)
    {
        if (Unit is not (IntervalUnit.Hour or IntervalUnit.Day))
        {
            throw new ArgumentException($"{field}.unit must be Hour or Day, got {Unit}", field);
        }

        if (Num < 1)
        {
            throw new ArgumentException($"{field}.num must be at least 1, got {Num}", field);
        }
    }
}
