using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Comparison;

/// <summary>
/// Field-by-field comparison of two protobuf messages with the semantics of Go's
/// <c>cmp.Equal(x, y, protocmp.Transform(), protocmp.IgnoreUnknown(), protocmp.IgnoreFields(...))</c>, which upstream's
/// suites use (<c>test/cases/*/data/data.go</c>):
/// <list type="bullet">
/// <item>unknown fields are ignored; fields in the ignore set are skipped on both sides;</item>
/// <item>a proto3 scalar equal to its default counts as unset, so "absent" and "0"/""/false are equal;</item>
/// <item>a message field set to an empty message differs from an unset one (protocmp compares presence);</item>
/// <item>oneofs compare their case first, then the value; lists compare in order; maps by key;</item>
/// <item>floating-point values compare with <c>==</c> (as cmp does for float64: NaN differs from NaN, 0 equals −0).</item>
/// </list>
/// Every difference is reported with its path; see <see cref="Difference"/>.
/// </summary>
public sealed class MessageDiff
{
    private readonly IReadOnlySet<string> _ignoredFields;

    /// <summary>A comparer skipping the fields whose full names (e.g. <c>banyandb.stream.v1.Element.timestamp</c>) are given.</summary>
    public MessageDiff(IReadOnlySet<string> ignoredFields) => _ignoredFields = ignoredFields;

    /// <summary>Compares <paramref name="expected"/> with <paramref name="actual"/> and records differences under <paramref name="path"/>.</summary>
    public void Compare(string path, IMessage? expected, IMessage? actual, ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
            {
                result.Add(Root(path), ValueText.Of(expected), ValueText.Of(actual));
            }

            return;
        }

        if (expected.Descriptor != actual.Descriptor)
        {
            result.Add(Root(path), expected.Descriptor.FullName, actual.Descriptor.FullName);
            return;
        }

        MessageDescriptor descriptor = expected.Descriptor;
        foreach (FieldDescriptor field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is not null || _ignoredFields.Contains(field.FullName))
            {
                continue;
            }

            string fieldPath = Join(path, field.Name);
            if (field.IsMap)
            {
                CompareMaps(fieldPath, field, (IDictionary)field.Accessor.GetValue(expected), (IDictionary)field.Accessor.GetValue(actual), result);
            }
            else if (field.IsRepeated)
            {
                CompareLists(fieldPath, field, (IList)field.Accessor.GetValue(expected), (IList)field.Accessor.GetValue(actual), result);
            }
            else if (field.HasPresence && field.FieldType != FieldType.Message)
            {
                // proto3 optional / proto2 scalars: presence is part of the value.
                bool hasExpected = field.Accessor.HasValue(expected), hasActual = field.Accessor.HasValue(actual);
                if (hasExpected != hasActual)
                {
                    result.Add(fieldPath, hasExpected ? ValueText.Of(field.Accessor.GetValue(expected), field) : "(not set)", hasActual ? ValueText.Of(field.Accessor.GetValue(actual), field) : "(not set)");
                }
                else if (hasExpected)
                {
                    CompareValues(fieldPath, field, field.Accessor.GetValue(expected), field.Accessor.GetValue(actual), result);
                }
            }
            else
            {
                CompareValues(fieldPath, field, field.Accessor.GetValue(expected), field.Accessor.GetValue(actual), result);
            }
        }

        foreach (OneofDescriptor oneof in descriptor.Oneofs)
        {
            if (oneof.IsSynthetic)
            {
                continue;
            }

            FieldDescriptor? expectedCase = oneof.Accessor.GetCaseFieldDescriptor(expected);
            FieldDescriptor? actualCase = oneof.Accessor.GetCaseFieldDescriptor(actual);
            if (expectedCase is not null && _ignoredFields.Contains(expectedCase.FullName) && actualCase == expectedCase)
            {
                continue;
            }

            if (expectedCase != actualCase)
            {
                result.Add(Join(path, oneof.Name), CaseText(expectedCase, expected), CaseText(actualCase, actual));
            }
            else if (expectedCase is not null)
            {
                CompareValues(Join(path, expectedCase.Name), expectedCase, expectedCase.Accessor.GetValue(expected), expectedCase.Accessor.GetValue(actual), result);
            }
        }
    }

    /// <summary>The number of differences between two messages (for pairing list items).</summary>
    public int CountDifferences(IMessage expected, IMessage actual)
    {
        ComparisonResult result = new(0);
        Compare(string.Empty, expected, actual, result);
        return result.Count;
    }

    private void CompareValues(string path, FieldDescriptor field, object? expected, object? actual, ComparisonResult result)
    {
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            Compare(path, expected as IMessage, actual as IMessage, result);
            return;
        }

        bool equal = (expected, actual) switch
        {
            (double e, double a) => e == a,
            (float e, float a) => e == a,
            _ => Equals(expected, actual),
        };
        if (!equal)
        {
            result.Add(path, ValueText.Of(expected, field), ValueText.Of(actual, field));
        }
    }

    private void CompareLists(string path, FieldDescriptor field, IList expected, IList actual, ComparisonResult result)
    {
        if (expected.Count != actual.Count)
        {
            result.Add(path, $"{expected.Count} items", $"{actual.Count} items");
        }

        int common = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < common; i++)
        {
            CompareValues(Item(path, i, expected[i]), field, expected[i], actual[i], result);
        }

        for (int i = common; i < expected.Count; i++)
        {
            result.Add(Item(path, i, expected[i]), ValueText.Of(expected[i], field), "(missing)");
        }

        for (int i = common; i < actual.Count; i++)
        {
            result.Add(Item(path, i, actual[i]), "(none)", ValueText.Of(actual[i], field));
        }
    }

    private void CompareMaps(string path, FieldDescriptor field, IDictionary expected, IDictionary actual, ComparisonResult result)
    {
        FieldDescriptor valueField = field.MessageType.FindFieldByNumber(2);
        SortedSet<string> keys = new(StringComparer.Ordinal);
        Dictionary<string, object> expectedKeys = [], actualKeys = [];
        foreach (object key in expected.Keys)
        {
            expectedKeys[KeyText(key)] = key;
            keys.Add(KeyText(key));
        }

        foreach (object key in actual.Keys)
        {
            actualKeys[KeyText(key)] = key;
            keys.Add(KeyText(key));
        }

        foreach (string key in keys)
        {
            string keyPath = $"{path}[{key}]";
            bool inExpected = expectedKeys.TryGetValue(key, out object? expectedKey), inActual = actualKeys.TryGetValue(key, out object? actualKey);
            if (inExpected && inActual)
            {
                CompareValues(keyPath, valueField, expected[expectedKey!], actual[actualKey!], result);
            }
            else
            {
                result.Add(keyPath, inExpected ? ValueText.Of(expected[expectedKey!], valueField) : "(none)", inActual ? ValueText.Of(actual[actualKey!], valueField) : "(missing)");
            }
        }
    }

    private static string CaseText(FieldDescriptor? field, IMessage message) =>
        field is null ? "(not set)" : $"{field.Name}: {ValueText.Of(field.Accessor.GetValue(message), field)}";

    private static string KeyText(object key) => key is string text ? text : Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    // List items are labelled with their "key" (tags) or "name" (families, fields) so a path reads like the YAML.
    private static string Item(string path, int index, object? item)
    {
        if (item is IMessage message)
        {
            foreach (string labelField in (string[])["key", "name"])
            {
                if (message.Descriptor.FindFieldByName(labelField) is { FieldType: FieldType.String } label
                    && label.Accessor.GetValue(message) is string text && text.Length > 0)
                {
                    return $"{path}[{index}]({text})";
                }
            }
        }

        return $"{path}[{index}]";
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Root(string path) => path.Length == 0 ? "(response)" : path;
}
