using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>The pair commands' option parsing: every mistake is refused with the option's name.</summary>
public sealed class NamedOptionsTests
{
    private static readonly string[] s_known = ["--a", "--b", "--rounds"];
    private static readonly string[] s_required = ["--a", "--b"];

    [Fact]
    public void Options_are_read_by_name()
    {
        Dictionary<string, string> options = NamedOptions.Parse(["--b", "B.dll", "--a", "A.dll", "--rounds", "5"], s_known, s_required);

        Assert.Equal("A.dll", options["--a"]);
        Assert.Equal("B.dll", options["--b"]);
        Assert.Equal(5, NamedOptions.Number(options, "--rounds", 3));
    }

    [Fact]
    public void Repeated_settings_are_taken_out_and_the_rest_kept_in_order()
    {
        Dictionary<string, string> settings = NamedOptions.Settings(
            ["--a", "A.dll", "--b-env", "X=1", "--b", "B.dll", "--b-env", "Y=a=b", "--b-env", "X=2"], "--b-env", out string[] rest);

        Assert.Equal(["--a", "A.dll", "--b", "B.dll"], rest);
        Assert.Equal(2, settings.Count);
        Assert.Equal("2", settings["X"]);
        Assert.Equal("a=b", settings["Y"]);
    }

    [Theory]
    [InlineData(new[] { "--b-env" }, "--b-env needs a value")]
    [InlineData(new[] { "--b-env", "NOVALUE" }, "--b-env 'NOVALUE': expected NAME=VALUE")]
    [InlineData(new[] { "--b-env", "=1" }, "--b-env '=1': expected NAME=VALUE")]
    public void Malformed_settings_are_refused_by_name(string[] args, string message)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => NamedOptions.Settings(args, "--b-env", out _));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public void A_number_not_given_is_the_fallback()
    {
        Dictionary<string, string> options = NamedOptions.Parse(["--a", "A.dll", "--b", "B.dll"], s_known, s_required);

        Assert.Equal(3, NamedOptions.Number(options, "--rounds", 3));
    }

    [Theory]
    [InlineData(new[] { "--a", "A.dll", "--b", "B.dll", "--round", "5" }, "unknown option '--round'")]
    [InlineData(new[] { "--a", "A.dll", "--b" }, "--b needs a value")]
    [InlineData(new[] { "--a", "A.dll" }, "--b is required")]
    public void Mistakes_are_refused_by_name(string[] args, string message)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => NamedOptions.Parse(args, s_known, s_required));

        Assert.Equal(message, refused.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("3x")]
    public void A_number_must_be_a_positive_whole_number(string text)
    {
        Dictionary<string, string> options = NamedOptions.Parse(["--a", "A", "--b", "B", "--rounds", text], s_known, s_required);

        ArgumentException refused = Assert.Throws<ArgumentException>(() => NamedOptions.Number(options, "--rounds", 3));

        Assert.Equal($"--rounds {text}: expected a positive whole number", refused.Message);
    }

    [Fact]
    public void A_number_with_a_lower_bound_of_zero_takes_zero_and_refuses_below_it()
    {
        Dictionary<string, string> zero = NamedOptions.Parse(["--a", "A", "--b", "B", "--rounds", "0"], s_known, s_required);
        Assert.Equal(0, NamedOptions.Number(zero, "--rounds", 3, min: 0));

        Dictionary<string, string> negative = NamedOptions.Parse(["--a", "A", "--b", "B", "--rounds", "-1"], s_known, s_required);
        ArgumentException refused = Assert.Throws<ArgumentException>(() => NamedOptions.Number(negative, "--rounds", 3, min: 0));
        Assert.Equal("--rounds -1: expected a whole number of at least 0", refused.Message);
    }
}
