using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>common.v1.IntervalRule</c> (segment interval, TTL): present, <c>num</c> &gt; 0 and a defined unit
/// other than <c>UNIT_UNSPECIFIED</c> (BanyanDB: <c>validate.GroupForNonProperty</c> and the protoc-gen-validate rules
/// <c>uint32.gt = 0</c>, <c>enum.defined_only</c> in <c>common.proto</c>).
/// </summary>
internal static class IntervalRules
{
    /// <summary>Throws unless <paramref name="rule"/> is a valid interval.</summary>
    public static void Require(string field, IntervalRule? rule)
    {
        if (rule is null)
        {
            throw new SchemaValidationException(field, "is required");
        }

        if (rule.Num == 0)
        {
            throw new SchemaValidationException($"{field}.num", "must be greater than 0");
        }

        if (rule.Unit == IntervalRule.Types.Unit.Unspecified)
        {
            throw new SchemaValidationException($"{field}.unit", "is unspecified; use UNIT_HOUR or UNIT_DAY");
        }

        if (!Enum.IsDefined(rule.Unit))
        {
            throw new SchemaValidationException($"{field}.unit", $"{(int)rule.Unit} is not a defined unit; use UNIT_HOUR or UNIT_DAY");
        }
    }
}
