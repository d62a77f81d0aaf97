using System.Diagnostics;
using System.Text.RegularExpressions;
using Banyan.Api.Tests;
using Banyan.Api.Tests.Upstream;
using Google.Protobuf;
using Google.Protobuf.Reflection;

// Regenerates tests/Banyan.Api.Tests/upstream/banyandb-v1-api.json (and the RPC/HTTP table of docs/api.md) from
// BanyanDB's .proto files at one commit of a git mirror. Run it through ../regenerate.sh, which passes:
//   --mirror <git dir> --commit <sha> --protoc <protoc from Grpc.Tools> --include <protoc's well-known types>
//   --out <snapshot json> --docs <docs/api.md>
// Steps: read every .proto of the served packages with `git show`, strip generator-only annotations
// (ProtoAnnotationStripper), compile them with protoc into a descriptor set, build runtime descriptors from it and
// describe them with the same ApiShapeBuilder the tests use for Banyan's own descriptors.

Dictionary<string, string> options = ParseArguments(args);
string mirror = options["--mirror"];
string commit = Git(mirror, "rev-parse", $"{options["--commit"]}^{{commit}}").Trim();
string[] packages =
[
    "banyandb.common.v1",
    "banyandb.model.v1",
    "banyandb.database.v1",
    "banyandb.stream.v1",
    "banyandb.measure.v1",
    "banyandb.property.v1",
    "banyandb.trace.v1",
];

string work = Directory.CreateTempSubdirectory("banyan-upstream-api-").FullName;
try
{
    Dictionary<(string Service, string Method), List<HttpRoute>> routes = [];
    List<string> protoFiles = [];
    foreach (string package in packages)
    {
        // banyandb.stream.v1 lives in api/proto/banyandb/stream/v1/.
        string folder = "api/proto/" + package.Replace('.', '/');
        foreach (string path in Git(mirror, "ls-tree", "--name-only", $"{commit}:{folder}").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!path.EndsWith(".proto", StringComparison.Ordinal))
            {
                continue;
            }

            string relative = $"{package.Replace('.', '/')}/{path}";
            (string text, Dictionary<(string, string), List<HttpRoute>> fileRoutes) =
                ProtoAnnotationStripper.Strip(relative, Git(mirror, "show", $"{commit}:api/proto/{relative}"));
            string target = Path.Combine(work, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, text);
            protoFiles.Add(relative);
            foreach (KeyValuePair<(string, string), List<HttpRoute>> route in fileRoutes)
            {
                routes.Add(route.Key, route.Value);
            }
        }
    }

    string descriptorSet = Path.Combine(work, "upstream.protoset");
    Run(options["--protoc"], ["-I", work, "-I", options["--include"], "--include_imports", $"--descriptor_set_out={descriptorSet}", .. protoFiles]);
    FileDescriptorSet set = FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(descriptorSet));
    IReadOnlyList<FileDescriptor> files = FileDescriptor.BuildFromByteStrings(set.File.Select(f => f.ToByteString()));

    HashSet<(string, string)> used = [];
    ApiShape api = ApiShapeBuilder.Build(files, packages.ToHashSet(StringComparer.Ordinal), (service, method) =>
    {
        used.Add((service, method));
        return routes.TryGetValue((service, method), out List<HttpRoute>? found) ? found : [];
    });
    foreach ((string service, string method) in routes.Keys.Where(key => !used.Contains(key)))
    {
        throw new InvalidDataException($"HTTP option found for {service}/{method}, which protoc did not compile as an RPC.");
    }

    string versionGo = Git(mirror, "show", $"{commit}:api/proto/banyandb/version.go");
    Match version = Regex.Match(versionGo, @"const\s+Version\s*=\s*""([^""]+)""");
    if (!version.Success)
    {
        throw new InvalidDataException("api/proto/banyandb/version.go has no `const Version = \"...\"`.");
    }

    UpstreamApiSnapshot snapshot = new(
        new UpstreamSource("apache/skywalking-banyandb", commit, version.Groups[1].Value, packages),
        api);
    File.WriteAllText(options["--out"], snapshot.Write());
    string docs = options["--docs"];
    File.WriteAllText(docs, RpcRouteTable.ReplaceIn(File.ReadAllText(docs), RpcRouteTable.Render(api)));
    Console.WriteLine(
        $"{options["--out"]}: {api.Messages.Count} messages, {api.Enums.Count} enums, {api.Services.Count} services, " +
        $"{api.Services.Sum(s => s.Methods.Count)} RPCs, API version {snapshot.Source.ApiVersion} at {commit}; {docs} table updated.");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    string[] required = ["--mirror", "--commit", "--protoc", "--include", "--out", "--docs"];
    Dictionary<string, string> options = new(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i]] = args[i + 1];
    }

    string[] missing = [.. required.Where(name => !options.ContainsKey(name))];
    if (missing.Length > 0 || args.Length % 2 != 0)
    {
        throw new ArgumentException($"Usage: {string.Join(' ', required.Select(r => r + " <value>"))}; missing: {string.Join(", ", missing)}.");
    }

    return options;
}

static string Git(string gitDir, params string[] arguments) => Run("git", ["-C", gitDir, .. arguments]);

static string Run(string program, string[] arguments)
{
    ProcessStartInfo start = new(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
    Task<string> output = process.StandardOutput.ReadToEndAsync();
    Task<string> error = process.StandardError.ReadToEndAsync();
    if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
    {
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 2 minutes.");
    }

    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
    }

    return output.Result;
}
