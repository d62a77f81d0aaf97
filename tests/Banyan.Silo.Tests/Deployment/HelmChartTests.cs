using Banyan.GrainInterfaces.Hosting;
using Banyan.Grains.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Banyan.Silo.Tests.Deployment;

/// <summary>
/// The Helm chart in <c>helm/</c>: it lints, renders what docs/kubernetes.md describes, and the settings it gives a silo
/// pod (environment, the ConfigMap's file) are read by the silo's own configuration code as the chart means them.
/// </summary>
public sealed class HelmChartTests
{
    private const string PodName = "t-banyan-2";
    private const string PodIp = "10.42.0.17";

    [HelmFact]
    public void The_chart_lints_strictly()
    {
        (int exit, string output, string error) = HelmChart.Run("lint", "--strict", HelmChart.ChartFolder);
        Assert.True(exit == 0, output + error);
    }

    [HelmFact]
    public async Task A_silo_pod_gets_settings_the_silo_reads_as_a_redis_cluster_member_on_its_volume()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered();
        Dictionary<object, object> silos = Single(objects, "StatefulSet", "t-banyan");
        Dictionary<object, object> spec = Map(silos["spec"]);
        Assert.Equal("3", Str(spec["replicas"]));
        Dictionary<object, object> container = Container(silos);

        (SiloHostOptions host, BanyanSiloOptions silo) = await ReadAsTheSiloWould(objects, container);

        // Stable node name = pod name; reachable at the pod IP; listening on every address of the pod.
        Assert.Equal(PodName, silo.NodeName);
        Assert.Equal(PodIp, silo.AdvertisedAddress);
        Assert.Equal(ClusterMode.Redis, silo.Cluster.Mode);
        Assert.Equal(GrainStorageMode.Redis, silo.GrainStorage);
        Assert.Equal("banyan", silo.Cluster.ClusterId);

        // The ports the silo listens on are the ports the pod declares and the services and probes use.
        Assert.Equal(new Uri(host.GrpcUrl).Port, ContainerPort(container, "grpc"));
        Assert.Equal(new Uri(host.HttpUrl).Port, ContainerPort(container, "http"));
        Assert.Equal("0.0.0.0", new Uri(host.GrpcUrl).Host);
        Assert.Equal(silo.SiloPort, ContainerPort(container, "silo"));
        Assert.Equal(silo.GatewayPort, ContainerPort(container, "gateway"));
        foreach (string probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Dictionary<object, object> get = Map(Map(container[probe])["httpGet"]);
            Assert.Equal("/api/healthz", Str(get["path"]));
            Assert.Equal("http", Str(get["port"]));
        }

        // The data root is the volume claimed per pod.
        Assert.Equal(silo.DataRoot, MountPath(container, "data"));
        Dictionary<object, object> claim = Map(List(spec["volumeClaimTemplates"]).Single());
        Assert.Equal("data", Str(Map(claim["metadata"])["name"]));
        Assert.Equal("20Gi", Str(Map(Map(Map(claim["spec"])["resources"])["requests"])["storage"]));

        // Redis: the chart's own, named by the connection string, with an append-only file on a volume.
        Dictionary<object, object> redisService = Single(objects, "Service", "t-banyan-redis");
        Assert.Equal("6379", Str(Map(List(Map(redisService["spec"])["ports"]).Single())["port"]));
        Assert.Equal("t-banyan-redis:6379", silo.Cluster.RedisConnectionString);
        Dictionary<object, object> redis = Container(Single(objects, "StatefulSet", "t-banyan-redis"));
        Assert.Contains("--appendonly", List(redis["args"]).Select(Str));
        Assert.Equal("/data", MountPath(redis, "data"));

        // Services: the StatefulSet's headless one carries the silo ports, the client one gRPC and HTTP by name.
        Assert.Equal("t-banyan-headless", Str(spec["serviceName"]));
        Dictionary<object, object> headless = Map(Single(objects, "Service", "t-banyan-headless")["spec"]);
        Assert.Equal("None", Str(headless["clusterIP"]));
        Assert.Equal(["silo", "gateway"], List(headless["ports"]).Select(p => Str(Map(p)["targetPort"])));
        Dictionary<object, object> client = Map(Single(objects, "Service", "t-banyan")["spec"]);
        Assert.Equal(["17912:grpc", "17913:http"], List(client["ports"]).Select(p => Str(Map(p)["port"]) + ":" + Str(Map(p)["targetPort"])));

        Assert.NotNull(Single(objects, "PodDisruptionBudget", "t-banyan"));

        // A graceful stop ends before Kubernetes kills the container.
        int grace = int.Parse(Str(Map(Map(spec["template"])["spec"])["terminationGracePeriodSeconds"]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(grace - 10), host.ShutdownTimeout);
    }

    [HelmFact]
    public async Task An_ipv6_listen_address_is_written_as_a_url_host()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered("--set", "listenAddress=::");
        (SiloHostOptions host, _) = await ReadAsTheSiloWould(objects, Container(Single(objects, "StatefulSet", "t-banyan")));
        Assert.Equal("http://[::]:17912", host.GrpcUrl);
        Assert.Equal("http://[::]:17913", host.HttpUrl);

        // The silo's own endpoint check (run while the host is built) accepts it; it refuses a host name.
        await using WebApplication app = SiloHost.Build(["--Silo:GrpcUrl=" + host.GrpcUrl, "--Silo:HttpUrl=" + host.HttpUrl]);
        Assert.NotNull(app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value);
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:GrpcUrl=http://banyan:17912"]));
        Assert.Contains("Silo:GrpcUrl", e.Message, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Prometheus_finds_the_silos_metrics_on_the_port_they_are_served()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered("--set", "metrics.serviceMonitor.enabled=true");
        Dictionary<object, object> silos = Single(objects, "StatefulSet", "t-banyan");
        Dictionary<object, object> container = Container(silos);
        (SiloHostOptions host, _) = await ReadAsTheSiloWould(objects, container);
        int httpPort = new Uri(host.HttpUrl).Port;

        // Annotation-based discovery: the pod's annotations name the silo's HTTP port and /metrics (MetricsEndpointTests).
        Dictionary<object, object> annotations = Map(Map(Map(Map(silos["spec"])["template"])["metadata"])["annotations"]);
        Assert.Equal("true", Str(annotations["prometheus.io/scrape"]));
        Assert.Equal(httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Str(annotations["prometheus.io/port"]));
        Assert.Equal("/metrics", Str(annotations["prometheus.io/path"]));

        // The ServiceMonitor's port name is a port of the client service that leads to the silo's HTTP port.
        Dictionary<object, object> monitor = Map(Single(objects, "ServiceMonitor", "t-banyan")["spec"]);
        Dictionary<object, object> endpoint = Map(List(monitor["endpoints"]).Single());
        Assert.Equal("/metrics", Str(endpoint["path"]));
        Dictionary<object, object> service = Single(objects, "Service", "t-banyan");
        Dictionary<object, object> selector = Map(Map(monitor["selector"])["matchLabels"]);
        Assert.All(selector, label => Assert.Equal(Str(label.Value), Str(Map(Map(service["metadata"])["labels"])[label.Key])));

        // Only the client service: the headless one (peers and gateways, no http port) must not be a scrape target.
        Dictionary<object, object>[] selected = [.. objects.Where(o => Str(o["kind"]) == "Service" && selector.All(label =>
            Map(Map(o["metadata"])["labels"]).TryGetValue(label.Key, out object? value) && Str(value) == Str(label.Value)))];
        Assert.Equal("t-banyan", Str(Map(Assert.Single(selected)["metadata"])["name"]));
        Dictionary<object, object> port = Map(List(Map(service["spec"])["ports"]).Single(p => Str(Map(p)["name"]) == Str(endpoint["port"])));
        Assert.Equal(httpPort, ContainerPort(container, Str(port["targetPort"])));

        IReadOnlyList<Dictionary<object, object>> without = Rendered("--set", "metrics.podAnnotations=false");
        Assert.DoesNotContain(without, o => Str(o["kind"]) == "ServiceMonitor");
        Assert.False(Map(Map(Map(Single(without, "StatefulSet", "t-banyan")["spec"])["template"])["metadata"])["annotations"] is Dictionary<object, object> a && a.ContainsKey("prometheus.io/scrape"));
    }

    [HelmFact]
    public void The_helm_test_pod_asks_the_client_service_for_health()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered();
        Dictionary<object, object> pod = Single(objects, "Pod", "t-banyan-test-health");
        Assert.Equal("test", Str(Map(Map(pod["metadata"])["annotations"])["helm.sh/hook"]));
        string script = Str(List(Map(List(Map(pod["spec"])["containers"]).Single())["args"]).Single());

        // The URL is the client service's name and http port, on the path the silo answers health at.
        Dictionary<object, object> service = Single(objects, "Service", "t-banyan");
        string port = Str(Map(List(Map(service["spec"])["ports"]).Single(p => Str(Map(p)["name"]) == "http"))["port"]);
        Assert.Contains($"http://t-banyan:{port}/api/healthz", script, StringComparison.Ordinal);
        Assert.Contains("SERVING", script, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task The_silos_shutdown_timeout_follows_the_grace_period()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered("--set", "terminationGracePeriodSeconds=3700");
        (SiloHostOptions host, _) = await ReadAsTheSiloWould(objects, Container(Single(objects, "StatefulSet", "t-banyan")));
        Assert.Equal(TimeSpan.FromSeconds(3690), host.ShutdownTimeout);

        (_, string tooShort) = HelmChart.Template("--set", "terminationGracePeriodSeconds=5");
        Assert.Contains("terminationGracePeriodSeconds", tooShort, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Silo_settings_given_as_values_reach_the_silo_and_a_misspelt_one_stops_it_by_name()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered("--set-json", """silo.config={"Shard":{"BlockCacheMegabytes":256,"MeasureFlushPeriod":"00:00:10"}}""");
        (_, BanyanSiloOptions silo) = await ReadAsTheSiloWould(objects, Container(Single(objects, "StatefulSet", "t-banyan")));
        Assert.Equal(256, silo.Shard.BlockCacheMegabytes);
        Assert.Equal(TimeSpan.FromSeconds(10), silo.Shard.MeasureFlushPeriod);

        // The chart passes silo.config through as it is; the silo refuses a key it does not know.
        IReadOnlyList<Dictionary<object, object>> misspelt = Rendered("--set-json", """silo.config={"Shard":{"FlushThresholdMB":16}}""");
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => ReadAsTheSiloWould(misspelt, Container(Single(misspelt, "StatefulSet", "t-banyan"))));
        Assert.Contains("Silo:Shard:FlushThresholdMB", e.Message, StringComparison.Ordinal);

        // The settings the chart sets itself are refused in silo.config, naming the key (the environment would win anyway).
        (_, string nodeName) = HelmChart.Template("--set-json", """silo.config={"NodeName":"other"}""");
        Assert.Contains("NodeName", nodeName, StringComparison.Ordinal);
        (_, string cluster) = HelmChart.Template("--set-json", """silo.config={"Cluster":{"ClusterId":"x"}}""");
        Assert.Contains("Cluster", cluster, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task An_external_redis_must_be_named_and_may_come_from_a_secret()
    {
        (IReadOnlyList<Dictionary<object, object>> none, string error) = HelmChart.Template("--set", "redis.enabled=false");
        Assert.Empty(none);
        Assert.Contains("redis.connectionString", error, StringComparison.Ordinal);

        IReadOnlyList<Dictionary<object, object>> plain = Rendered("--set", "redis.enabled=false", "--set", "redis.connectionString=redis.example:6379");
        Assert.DoesNotContain(plain, o => Str(o["kind"]) == "StatefulSet" && Name(o) == "t-banyan-redis");
        (_, BanyanSiloOptions silo) = await ReadAsTheSiloWould(plain, Container(Single(plain, "StatefulSet", "t-banyan")));
        Assert.Equal("redis.example:6379", silo.Cluster.RedisConnectionString);

        IReadOnlyList<Dictionary<object, object>> secret = Rendered(
            "--set", "redis.enabled=false", "--set", "redis.connectionStringSecret.name=banyan-redis", "--set", "redis.connectionStringSecret.key=url");
        (_, BanyanSiloOptions fromSecret) = await ReadAsTheSiloWould(
            secret, Container(Single(secret, "StatefulSet", "t-banyan")), new Dictionary<string, string> { ["banyan-redis/url"] = "redis.example:6380,password=p" });
        Assert.Equal("redis.example:6380,password=p", fromSecret.Cluster.RedisConnectionString);
    }

    [HelmFact]
    public void Values_are_checked_against_the_schema_naming_the_value()
    {
        (_, string misspelt) = HelmChart.Template("--set", "replicas=3");
        Assert.Contains("replicas", misspelt, StringComparison.Ordinal);
        (_, string zero) = HelmChart.Template("--set", "replicaCount=0");
        Assert.Contains("replicaCount", zero, StringComparison.Ordinal);
        (_, string port) = HelmChart.Template("--set", "silo.siloPort=70000");
        Assert.Contains("siloPort", port, StringComparison.Ordinal);
    }

    [HelmFact]
    public void Without_persistence_the_data_is_an_empty_dir_and_the_notes_warn()
    {
        IReadOnlyList<Dictionary<object, object>> objects = Rendered("--set", "persistence.enabled=false", "--set", "replicaCount=1");
        Dictionary<object, object> silos = Single(objects, "StatefulSet", "t-banyan");
        Dictionary<object, object> spec = Map(silos["spec"]);
        Assert.False(spec.ContainsKey("volumeClaimTemplates"));
        Dictionary<object, object> podSpec = Map(Map(spec["template"])["spec"]);
        Dictionary<object, object> data = Map(List(podSpec["volumes"]).Single(v => Str(Map(v)["name"]) == "data"));
        Assert.True(data.ContainsKey("emptyDir"));

        (int exit, string output, string error) = HelmChart.Run("install", "t", HelmChart.ChartFolder, "--dry-run=client", "--namespace", "banyan-test", "--set", "persistence.enabled=false");
        Assert.True(exit == 0, error);
        Assert.Contains("persistence.enabled is false", output, StringComparison.Ordinal);
    }

    // The silo's configuration as the pod gives it, read by the silo host itself (SiloHost.Build: the shipped silo.json,
    // the file named by ConfigFile, then the overrides): the ConfigMap's file written where ConfigFile points, the pod's
    // environment, with the downward API and secrets resolved, passed as overrides (environment and command line both
    // override the files).
    private static async Task<(SiloHostOptions Host, BanyanSiloOptions Silo)> ReadAsTheSiloWould(
        IReadOnlyList<Dictionary<object, object>> objects, Dictionary<object, object> container, IReadOnlyDictionary<string, string>? secrets = null)
    {
        var overrides = new List<string>();
        string? configFile = null;
        foreach (object item in List(container["env"]))
        {
            Dictionary<object, object> variable = Map(item);
            string key = Str(variable["name"]).Replace("__", ":", StringComparison.Ordinal);
            string value = variable.TryGetValue("value", out object? given) ? Str(given) : Resolve(Map(variable["valueFrom"]), secrets);
            if (key == SiloHost.ConfigFileKey)
            {
                configFile = value;
                continue;
            }

            overrides.Add($"--{key}={value}");
        }

        // ConfigFile names a file of the ConfigMap mounted at the volume "config".
        Assert.NotNull(configFile);
        string mount = MountPath(container, "config");
        Assert.StartsWith(mount + "/", configFile, StringComparison.Ordinal);
        Dictionary<object, object> configMap = Single(objects, "ConfigMap", "t-banyan-config");
        string json = Str(Map(configMap["data"])[configFile[(mount.Length + 1)..]]);
        string mounted = Path.Combine(Path.GetTempPath(), $"banyan-chart-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(mounted, json);
        try
        {
            await using WebApplication app = SiloHost.Build([.. overrides, $"--{SiloHost.ConfigFileKey}={mounted}"]);
            return (app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value, app.Services.GetRequiredService<IOptions<BanyanSiloOptions>>().Value);
        }
        finally
        {
            File.Delete(mounted);
        }
    }

    private static string Resolve(Dictionary<object, object> valueFrom, IReadOnlyDictionary<string, string>? secrets)
    {
        if (valueFrom.TryGetValue("fieldRef", out object? field))
        {
            return Str(Map(field)["fieldPath"]) switch
            {
                "metadata.name" => PodName,
                "status.podIP" => PodIp,
                string other => throw new InvalidOperationException($"field {other} is not resolved by this test"),
            };
        }

        Dictionary<object, object> secret = Map(valueFrom["secretKeyRef"]);
        string key = Str(secret["name"]) + "/" + Str(secret["key"]);
        return secrets is not null && secrets.TryGetValue(key, out string? value) ? value : throw new InvalidOperationException($"no secret {key}");
    }

    private static IReadOnlyList<Dictionary<object, object>> Rendered(params string[] values)
    {
        (IReadOnlyList<Dictionary<object, object>> objects, string error) = HelmChart.Template(values);
        Assert.True(objects.Count > 0, error);
        return objects;
    }

    private static Dictionary<object, object> Single(IReadOnlyList<Dictionary<object, object>> objects, string kind, string name) =>
        objects.Single(o => Str(o["kind"]) == kind && Name(o) == name);

    private static string Name(Dictionary<object, object> o) => Str(Map(o["metadata"])["name"]);

    private static Dictionary<object, object> Container(Dictionary<object, object> statefulSet) =>
        Map(List(Map(Map(Map(statefulSet["spec"])["template"])["spec"])["containers"]).Single());

    private static int ContainerPort(Dictionary<object, object> container, string name) =>
        int.Parse(Str(Map(List(container["ports"]).Single(p => Str(Map(p)["name"]) == name))["containerPort"]), System.Globalization.CultureInfo.InvariantCulture);

    private static string MountPath(Dictionary<object, object> container, string volume) =>
        Str(Map(List(container["volumeMounts"]).Single(m => Str(Map(m)["name"]) == volume))["mountPath"]);

    private static Dictionary<object, object> Map(object o) => (Dictionary<object, object>)o;

    private static List<object> List(object o) => (List<object>)o;

    private static string Str(object o) => (string)o;
}
