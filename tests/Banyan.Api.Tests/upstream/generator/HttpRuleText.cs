namespace Banyan.Api.Tests.Upstream;

/// <summary>
/// Reads the value of a <c>google.api.http</c> option, written in protobuf text format, e.g.
/// <c>{post: "/v1/stream/data" body: "*"}</c> or one with <c>additional_bindings</c>. Only the members of
/// <c>google.api.HttpRule</c> that name a route are understood; anything else is an error rather than a route
/// silently lost.
/// </summary>
internal static class HttpRuleText
{
    private static readonly string[] s_verbs = ["get", "put", "post", "delete", "patch"];

    /// <summary>Returns the primary binding followed by each additional binding.</summary>
    public static List<HttpRoute> Parse(string value, string where)
    {
        Tokenizer tokens = new(value, where);
        List<HttpRoute> routes = [];
        ReadRule(tokens, routes);
        if (!tokens.AtEnd)
        {
            throw tokens.Error("text after the HTTP rule");
        }

        return routes;
    }

    private static void ReadRule(Tokenizer tokens, List<HttpRoute> routes)
    {
        tokens.Expect("{");
        string? method = null;
        string? path = null;
        string body = "";
        List<HttpRoute> additional = [];
        while (tokens.Peek() != "}")
        {
            string key = tokens.Next();
            if (key == "additional_bindings")
            {
                tokens.SkipOptional(":");
                ReadRule(tokens, additional);
            }
            else
            {
                tokens.Expect(":");
                string text = tokens.NextString();
                if (s_verbs.Contains(key, StringComparer.Ordinal))
                {
                    if (method is not null)
                    {
                        throw tokens.Error($"two verbs ({method}, {key}) in one HTTP rule");
                    }

                    method = key.ToUpperInvariant();
                    path = text;
                }
                else if (key == "body")
                {
                    body = text;
                }
                else
                {
                    throw tokens.Error($"unsupported HTTP rule member '{key}'");
                }
            }

            tokens.SkipOptional(",");
            tokens.SkipOptional(";");
        }

        tokens.Expect("}");
        if (method is null || path is null)
        {
            throw tokens.Error("HTTP rule without a verb");
        }

        routes.Add(new HttpRoute(method, path, body));
        routes.AddRange(additional);
    }

    private sealed class Tokenizer(string text, string where)
    {
        private int _position;

        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return _position >= text.Length;
            }
        }

        public string Peek()
        {
            int saved = _position;
            string token = Next();
            _position = saved;
            return token;
        }

        public string Next()
        {
            SkipSpace();
            if (_position >= text.Length)
            {
                throw Error("unexpected end");
            }

            char c = text[_position];
            if (c is '{' or '}' or ':' or ',' or ';')
            {
                _position++;
                return c.ToString();
            }

            if (c == '"')
            {
                int end = text.IndexOf('"', _position + 1);
                if (end < 0)
                {
                    throw Error("unterminated string");
                }

                string token = text[_position..(end + 1)];
                _position = end + 1;
                return token;
            }

            int start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }

            if (start == _position)
            {
                throw Error($"unexpected '{c}'");
            }

            return text[start.._position];
        }

        public string NextString()
        {
            string token = Next();
            if (token.Length < 2 || token[0] != '"' || token.Contains('\\', StringComparison.Ordinal))
            {
                throw Error($"expected a plain string, found {token}");
            }

            return token[1..^1];
        }

        public void Expect(string expected)
        {
            string token = Next();
            if (token != expected)
            {
                throw Error($"expected '{expected}', found '{token}'");
            }
        }

        public void SkipOptional(string punctuation)
        {
            if (!AtEnd && Peek() == punctuation)
            {
                _position++;
                SkipSpace();
            }
        }

        public InvalidDataException Error(string reason) =>
            new($"{where}: cannot read the google.api.http option ({reason}) in: {text}");

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }
    }
}
