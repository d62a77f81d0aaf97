using System.Text;
using System.Text.RegularExpressions;

namespace Banyan.Api.Tests.Upstream;

/// <summary>
/// Removes from an upstream .proto file the custom options that only code generators and the HTTP gateway read:
/// protoc-gen-validate rules (<c>(validate.*)</c>), HTTP bindings (<c>(google.api.*)</c>) and OpenAPI options
/// (<c>(grpc.gateway.*)</c>), with their imports. None of them changes a message, field, enum or RPC, and protoc
/// cannot compile the file without their definitions, which are not part of the upstream repository. The HTTP
/// bindings are returned so the RPC/HTTP route table can still be produced.
/// </summary>
internal static partial class ProtoAnnotationStripper
{
    private static readonly string[] s_strippedOptionPrefixes = ["validate.", "google.api.", "grpc.gateway."];

    private static readonly string[] s_strippedImports =
    [
        "validate/validate.proto",
        "google/api/annotations.proto",
        "protoc-gen-openapiv2/options/annotations.proto",
    ];

    /// <summary>The stripped text and the HTTP bindings found, keyed by (service full name, RPC name).</summary>
    public static (string Text, Dictionary<(string Service, string Method), List<HttpRoute>> Routes) Strip(string file, string text)
    {
        string code = BlankCommentsAndStrings(text);
        string package = PackageRegex().Match(code) is { Success: true } p
            ? text.Substring(p.Groups[1].Index, p.Groups[1].Length)
            : throw new InvalidDataException($"{file}: no package statement.");

        List<(int Start, int End, string Replacement)> edits = [];
        Dictionary<(string, string), List<HttpRoute>> routes = [];

        foreach (Match import in ImportRegex().Matches(code))
        {
            // The path is inside a string literal, which BlankCommentsAndStrings blanked: read it from the text.
            string path = text.Substring(import.Groups[1].Index, import.Groups[1].Length);
            if (s_strippedImports.Contains(path, StringComparer.Ordinal))
            {
                edits.Add((import.Index, import.Index + import.Length, ""));
            }
        }

        foreach (Match option in OptionStatementRegex().Matches(code))
        {
            string name = option.Groups[1].Value;
            if (!IsStripped(name))
            {
                continue;
            }

            int valueStart = SkipWhitespace(code, option.Index + option.Length);
            int valueEnd = code[valueStart] is '{' ? MatchingClose(code, valueStart, file) + 1 : code.IndexOf(';', valueStart);
            int semicolon = SkipWhitespace(code, valueEnd);
            if (valueEnd < 0 || semicolon >= code.Length || code[semicolon] != ';')
            {
                throw new InvalidDataException($"{file}:{LineOf(text, option.Index)}: option ({name}) is not followed by a value and ';'.");
            }

            edits.Add((option.Index, semicolon + 1, ""));
            if (name == "google.api.http")
            {
                (string service, string method) = EnclosingRpc(code, text, option.Index, file);
                routes[($"{package}.{service}", method)] = HttpRuleText.Parse(text[valueStart..valueEnd], $"{file}:{LineOf(text, option.Index)}");
            }
        }

        foreach (Match bracket in FieldOptionsRegex().Matches(code))
        {
            int open = bracket.Index + bracket.Length - 1;
            int close = MatchingClose(code, open, file);
            List<string> kept = [];
            foreach ((int start, int end) in SplitTopLevel(code, open + 1, close))
            {
                string option = text[start..end].Trim();
                string optionCode = code[start..end].Trim();
                bool isStripped = optionCode.StartsWith('(') && IsStripped(optionCode[1..optionCode.IndexOf(')', StringComparison.Ordinal)].Trim());
                if (!isStripped)
                {
                    kept.Add(option);
                }
            }

            // Remove the bracket with the whitespace before it, or keep the options that are not stripped.
            int removeFrom = open;
            while (removeFrom > 0 && char.IsWhiteSpace(code[removeFrom - 1]))
            {
                removeFrom--;
            }

            edits.Add(kept.Count == 0 ? (removeFrom, close + 1, "") : (open, close + 1, $"[{string.Join(", ", kept)}]"));
        }

        edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        StringBuilder result = new(text.Length);
        int position = 0;
        foreach ((int start, int end, string replacement) in edits)
        {
            if (start < position)
            {
                throw new InvalidDataException($"{file}:{LineOf(text, start)}: overlapping annotations; the stripper cannot handle this file.");
            }

            result.Append(text, position, start - position).Append(replacement);
            position = end;
        }

        result.Append(text, position, text.Length - position);
        string stripped = result.ToString();

        Match leftover = LeftoverRegex().Match(BlankCommentsAndStrings(stripped));
        if (leftover.Success)
        {
            throw new InvalidDataException(
                $"{file}:{LineOf(stripped, leftover.Index)}: annotation '{leftover.Value}' was not stripped; extend ProtoAnnotationStripper.");
        }

        return (stripped, routes);
    }

    private static bool IsStripped(string optionName) =>
        s_strippedOptionPrefixes.Any(prefix => optionName.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// Returns a copy of <paramref name="text"/> of the same length in which comments and string literal contents
    /// are spaces, so that searching and brace matching only ever see code.
    /// </summary>
    private static string BlankCommentsAndStrings(string text)
    {
        char[] code = text.ToCharArray();
        int i = 0;
        while (i < code.Length)
        {
            if (code[i] == '/' && i + 1 < code.Length && code[i + 1] == '/')
            {
                while (i < code.Length && code[i] != '\n')
                {
                    code[i++] = ' ';
                }
            }
            else if (code[i] == '/' && i + 1 < code.Length && code[i + 1] == '*')
            {
                while (i < code.Length && !(code[i] == '*' && i + 1 < code.Length && code[i + 1] == '/'))
                {
                    code[i] = code[i] == '\n' ? '\n' : ' ';
                    i++;
                }

                for (int k = 0; k < 2 && i < code.Length; k++)
                {
                    code[i++] = ' ';
                }
            }
            else if (code[i] is '"' or '\'')
            {
                char quote = code[i++];
                while (i < code.Length && code[i] != quote)
                {
                    if (code[i] == '\\')
                    {
                        code[i++] = ' ';
                    }

                    if (i < code.Length)
                    {
                        code[i++] = ' ';
                    }
                }

                i++;
            }
            else
            {
                i++;
            }
        }

        return new string(code);
    }

    private static int MatchingClose(string code, int open, string file)
    {
        Stack<char> expected = new();
        for (int i = open; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '{':
                    expected.Push('}');
                    break;
                case '[':
                    expected.Push(']');
                    break;
                case '}' or ']':
                    if (expected.Pop() != code[i])
                    {
                        throw new InvalidDataException($"{file}: unbalanced '{code[i]}' at offset {i}.");
                    }

                    if (expected.Count == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new InvalidDataException($"{file}: '{code[open]}' at offset {open} is never closed.");
    }

    private static IEnumerable<(int Start, int End)> SplitTopLevel(string code, int start, int end)
    {
        int depth = 0;
        int itemStart = start;
        for (int i = start; i < end; i++)
        {
            switch (code[i])
            {
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return (itemStart, i);
                    itemStart = i + 1;
                    break;
            }
        }

        yield return (itemStart, end);
    }

    private static (string Service, string Method) EnclosingRpc(string code, string text, int position, string file)
    {
        Match? rpc = RpcRegex().Matches(code[..position]).LastOrDefault();
        Match? service = ServiceRegex().Matches(code[..position]).LastOrDefault();
        if (rpc is null || service is null || rpc.Index < service.Index)
        {
            throw new InvalidDataException($"{file}:{LineOf(text, position)}: HTTP option outside an rpc.");
        }

        return (service.Groups[1].Value, rpc.Groups[1].Value);
    }

    private static int SkipWhitespace(string code, int i)
    {
        while (i >= 0 && i < code.Length && char.IsWhiteSpace(code[i]))
        {
            i++;
        }

        return i;
    }

    private static int LineOf(string text, int offset) => text.AsSpan(0, offset).Count('\n') + 1;

    [GeneratedRegex(@"\bpackage\s+([\w.]+)\s*;")]
    private static partial Regex PackageRegex();

    // Strings are blanked in the code view, so the import path is matched by position: "<spaces>".
    [GeneratedRegex(@"^[ \t]*import\s+(?:public\s+|weak\s+)?""([^""]*)""\s*;[ \t]*\r?\n?", RegexOptions.Multiline)]
    private static partial Regex ImportRegex();

    // "option (name)" or "option (name).sub.path", up to and including the '='.
    [GeneratedRegex(@"\boption\s*\(\s*([\w.]+)\s*\)[\w.]*\s*=")]
    private static partial Regex OptionStatementRegex();

    // The '[' of a field or enum value's options: "= <number> [".
    [GeneratedRegex(@"=\s*-?\d+\s*\[")]
    private static partial Regex FieldOptionsRegex();

    [GeneratedRegex(@"\brpc\s+(\w+)\s*\(")]
    private static partial Regex RpcRegex();

    [GeneratedRegex(@"\bservice\s+(\w+)\s*\{")]
    private static partial Regex ServiceRegex();

    [GeneratedRegex(@"\((?:validate|google\.api|grpc\.gateway)\.[\w.]*\)")]
    private static partial Regex LeftoverRegex();
}
