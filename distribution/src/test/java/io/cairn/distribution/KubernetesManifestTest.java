package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.spi.transport.TlsConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code distribution/kubernetes/cairn.yaml}, the StatefulSet of three members, against the server it
 * starts: every argument the container passes is read by cairn's own option parser (with Kubernetes'
 * {@code $(VAR)} expansion done for each pod), so a renamed or misspelt flag fails here; and what the
 * parsed options point at (TLS files, data directory, ports, peer DNS names) must be what the
 * manifest mounts, exposes and names.
 */
class KubernetesManifestTest {

    private static final Path KUBERNETES = Path.of("kubernetes");
    /** Any namespace: the manifest must not depend on one. */
    private static final String NAMESPACE = "cairn-test-ns";

    private static List<Map<String, Object>> documents;
    private static Map<String, Object> statefulSet;
    private static Map<String, Object> container;

    @BeforeAll
    static void readManifest() throws IOException {
        documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(KUBERNETES.resolve("cairn.yaml"), StandardCharsets.UTF_8)) {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
                if (document != null) {
                    documents.add(map(document, "a document"));
                }
            }
        }
        statefulSet = only("StatefulSet");
        List<Object> containers = list(at(statefulSet, "spec", "template", "spec", "containers"));
        assertEquals(1, containers.size(), "one container per member");
        container = map(containers.get(0), "the container");
    }

    @Test
    void statefulSetRunsThreeMembersStartedTogether() {
        Map<String, Object> spec = map(statefulSet.get("spec"), "spec");
        assertEquals(3, spec.get("replicas"));
        assertEquals("Parallel", spec.get("podManagementPolicy"),
                "the initial cluster forms only when a quorum of its members runs: they must start together");
        Map<String, Object> labels = map(at(spec, "template", "metadata", "labels"), "pod labels");
        assertSelects(map(at(spec, "selector", "matchLabels"), "selector"), labels, "the StatefulSet's selector");
        assertSelects(map(at(only("PodDisruptionBudget"), "spec", "selector", "matchLabels"), "PDB selector"), labels,
                "the PodDisruptionBudget's selector");
        assertEquals(1, at(only("PodDisruptionBudget"), "spec", "maxUnavailable"), "3 voters keep a quorum with 1 gone");
    }

    @Test
    void headlessServiceIsTheStatefulSetsAndPublishesMembersBeforeTheyAreReady() {
        Map<String, Object> headless = service(String.valueOf(at(statefulSet, "spec", "serviceName")));
        assertEquals("None", at(headless, "spec", "clusterIP"), "the serviceName's Service gives the pods DNS names");
        assertEquals(true, at(headless, "spec", "publishNotReadyAddresses"),
                "members resolve each other before any is ready (ready needs a leader, a leader needs peers)");
        assertSelects(map(at(headless, "spec", "selector"), "selector"), podLabels(), "the headless Service");
        ServerOptions options = optionsOf(0);
        Set<Object> ports = Set.copyOf(list(at(headless, "spec", "ports")).stream()
                .map(port -> map(port, "port").get("port")).toList());
        assertTrue(ports.contains(options.listenPeerUrls().get(0).getPort()), "peer port in the headless Service");
    }

    @Test
    void clientServiceReachesTheClientPort() {
        int clientPort = optionsOf(0).listenClientUrls().get(0).getPort();
        List<Map<String, Object>> clientServices = documents.stream()
                .filter(d -> "Service".equals(d.get("kind")) && !"None".equals(at(d, "spec", "clusterIP"))).toList();
        assertEquals(1, clientServices.size(), "one client Service");
        Map<String, Object> service = clientServices.get(0);
        assertSelects(map(at(service, "spec", "selector"), "selector"), podLabels(), "the client Service");
        boolean reaches = list(at(service, "spec", "ports")).stream().map(port -> map(port, "port"))
                .anyMatch(port -> containerPort(port.getOrDefault("targetPort", port.get("port"))) == clientPort);
        assertTrue(reaches, "the client Service targets the member's client port " + clientPort);
    }

    /** The point of it all: every argument, for every member, is accepted by cairn itself. */
    @Test
    void everyMemberCommandLineIsAcceptedByCairnsOwnParser() {
        int replicas = (Integer) at(statefulSet, "spec", "replicas");
        String setName = String.valueOf(at(statefulSet, "metadata", "name"));
        String headless = String.valueOf(at(statefulSet, "spec", "serviceName"));
        List<String> pods = IntStream.range(0, replicas).mapToObj(i -> setName + "-" + i).toList();
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            String pod = pods.get(ordinal);
            ServerOptions options = optionsOf(ordinal);
            assertEquals(pod, options.name(), "each member is named after its pod");
            assertEquals(pods, List.copyOf(options.initialCluster().keySet()), "the initial cluster is every pod");
            options.initialCluster().forEach((member, urls) -> {
                assertEquals(1, urls.size());
                assertEquals(member + "." + headless + "." + NAMESPACE + ".svc", urls.get(0).getHost(),
                        "peers are reached through the headless Service's DNS names");
                assertEquals(options.listenPeerUrls().get(0).getPort(), urls.get(0).getPort());
            });
            assertEquals(options.initialCluster().get(pod), options.initialAdvertisePeerUrls());
            assertEquals(List.of(URI.create("https://" + pod + "." + headless + "." + NAMESPACE + ".svc:"
                    + options.listenClientUrls().get(0).getPort())), options.advertiseClientUrls());
            for (URI listen : concat(options.listenClientUrls(), options.listenPeerUrls(), options.listenClientHttpUrls())) {
                assertEquals("https", listen.getScheme(), listen + ": TLS everywhere but the metrics URL");
                assertEquals("0.0.0.0", listen.getHost(), listen + ": reachable on the pod's address");
                assertTrue(containerPorts().contains(listen.getPort()), listen + " is a containerPort");
            }
            assertFalse(options.listenMetricsUrls().isEmpty(), "the probes' --listen-metrics-urls");
            for (URI metrics : options.listenMetricsUrls()) {
                assertEquals("http", metrics.getScheme(), metrics + ": the kubelet's probes present no certificate");
                assertEquals("0.0.0.0", metrics.getHost(), metrics + ": reachable by the kubelet on the pod's address");
                assertTrue(containerPorts().contains(metrics.getPort()), metrics + " is a containerPort");
            }
        }
    }

    @Test
    void tlsFlagsPointIntoTheMountedSecret() {
        ServerOptions options = optionsOf(0);
        TlsConfig client = options.clientTls().orElseThrow(() -> new AssertionError("no client TLS"));
        TlsConfig peer = options.peerTls().orElseThrow(() -> new AssertionError("no peer TLS"));
        assertTrue(client.clientCertAuth(), "clients need a certificate of the CA");
        assertTrue(peer.clientCertAuth(), "peers need a certificate of the CA");
        Set<Path> secretFiles = secretFiles();
        for (Path file : List.of(client.certificateChain(), client.privateKey(), client.trustedCa().orElseThrow(),
                peer.certificateChain(), peer.privateKey(), peer.trustedCa().orElseThrow())) {
            assertTrue(secretFiles.contains(file), file + " is a file of the mounted Secret " + secretFiles);
        }
    }

    @Test
    void dataDirectoryIsOnTheVolumeClaimTemplatesVolume() {
        Path dataDir = optionsOf(0).dataDir();
        List<Object> templates = list(at(statefulSet, "spec", "volumeClaimTemplates"));
        assertEquals(1, templates.size());
        Map<String, Object> template = map(templates.get(0), "volume claim template");
        assertNotNull(at(template, "spec", "resources", "requests", "storage"), "the claim asks for a size");
        Path mounted = mountPath(String.valueOf(at(template, "metadata", "name")));
        assertTrue(dataDir.startsWith(mounted), "--data-dir " + dataDir + " is on the claim's volume at " + mounted);
    }

    /**
     * The kubelet's own httpGet probes (no curl in the image) ask etcd's /health on a port cairn serves
     * it on without client certificates: the metrics URL. Liveness asks the member alone, ignoring
     * NOSPACE, as etcd's manifests do; readiness needs the cluster.
     */
    @Test
    void probesAskHealthWhereTheServerServesIt() {
        ServerOptions options = optionsOf(0);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> spec = map(container.get(probe), probe);
            assertFalse(spec.containsKey("exec"), probe + ": the kubelet asks, no command in the container");
            Map<String, Object> get = map(spec.get("httpGet"), probe + ".httpGet");
            String scheme = String.valueOf(get.getOrDefault("scheme", "HTTP")).toLowerCase(java.util.Locale.ROOT);
            int port = containerPort(get.get("port"));
            URI target = URI.create(scheme + "://localhost:" + port + get.get("path"));
            assertEquals("/health", target.getPath(), probe);
            assertTrue(options.listenMetricsUrls().stream().anyMatch(url -> url.getScheme().equals(scheme)
                            && url.getPort() == port),
                    probe + " " + target + " is served on --listen-metrics-urls " + options.listenMetricsUrls());
            assertTrue(options.listenClientHttpUrls().stream().noneMatch(url -> url.getPort() == port)
                    && options.listenClientUrls().stream().noneMatch(url -> url.getPort() == port),
                    probe + ": not a client port, where a certificate is needed");
            Set<String> query = target.getQuery() == null ? Set.of() : Set.of(target.getQuery().split("&"));
            if (probe.equals("livenessProbe")) {
                assertEquals(Set.of("exclude=NOSPACE", "serializable=true"), query,
                        "liveness asks the member alone and ignores a full disk: a restart fixes neither");
            } else {
                assertEquals(Set.of(), query, probe + " needs a leader and a linearizable read");
            }
        }
        String dockerfile;
        try {
            dockerfile = Files.readString(KUBERNETES.resolve("Dockerfile"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertFalse(Pattern.compile("(?m)^(RUN|\\s+&&).*install.*\\bcurl\\b").matcher(dockerfile).find(),
                "the image installs no curl: the probes need none");
    }

    @Test
    void resourcesAreRequestedAndTheImageRunsThePackagesLauncher() throws IOException {
        assertNotNull(at(container, "resources", "requests", "cpu"));
        assertNotNull(at(container, "resources", "requests", "memory"));
        String dockerfile = Files.readString(KUBERNETES.resolve("Dockerfile"));
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[\"([^\"]+)\"]").matcher(dockerfile);
        assertTrue(entrypoint.find(), "the Dockerfile's ENTRYPOINT");
        assertEquals(List.of(entrypoint.group(1)), container.get("command"));
        assertTrue(entrypoint.group(1).endsWith("/bin/cairn"));
    }

    /** The check above is not vacuous: a flag the server does not know fails it, naming the flag. */
    @Test
    void aRenamedFlagWouldBeRefused() {
        List<String> args = new ArrayList<>(arguments(0));
        args.replaceAll(arg -> arg.equals("--peer-client-cert-auth") ? "--peer-client-cert-authentication" : arg);
        assertFalse(args.equals(arguments(0)), "the manifest passes --peer-client-cert-auth");
        UsageException refused = assertThrows(UsageException.class,
                () -> ServerOptions.parse(args, variables(0), workingDirectory()));
        assertTrue(refused.getMessage().contains("--peer-client-cert-authentication"), refused.getMessage());
    }

    // ---- the container's command line as Kubernetes would run it ---------------------------------

    /** The options of pod {@code ordinal}, parsed by cairn from the container's arguments and CAIRN_* variables. */
    private static ServerOptions optionsOf(int ordinal) {
        ServerOptions.Request request;
        try {
            request = ServerOptions.parse(arguments(ordinal), variables(ordinal), workingDirectory());
        } catch (UsageException e) {
            throw new AssertionError("cairn refuses the manifest's command line: " + e.getMessage(), e);
        }
        ServerOptions.Run run = assertInstanceOf(ServerOptions.Run.class, request);
        assertEquals(List.of(), run.warnings(), "cairn warns about nothing in the manifest's command line");
        return run.options();
    }

    private static List<String> arguments(int ordinal) {
        Map<String, String> variables = variables(ordinal);
        return list(container.get("args")).stream().map(arg -> expand(String.valueOf(arg), variables)).toList();
    }

    /**
     * The container's {@code env} as the process of pod {@code ordinal} sees it (cairn reads the
     * CAIRN_* ones), with the downward API's pod name and namespace.
     */
    private static Map<String, String> variables(int ordinal) {
        Map<String, String> variables = new LinkedHashMap<>();
        Object env = container.get("env");
        for (Object item : env == null ? List.of() : list(env)) {
            Map<String, Object> variable = map(item, "env entry");
            String name = String.valueOf(variable.get("name"));
            if (variable.containsKey("value")) {
                variables.put(name, expand(String.valueOf(variable.get("value")), variables));
                continue;
            }
            String field = String.valueOf(at(variable, "valueFrom", "fieldRef", "fieldPath"));
            variables.put(name, switch (field) {
                case "metadata.name" -> at(statefulSet, "metadata", "name") + "-" + ordinal;
                case "metadata.namespace" -> NAMESPACE;
                default -> throw new AssertionError("env " + name + ": the test knows no value for " + field);
            });
        }
        return variables;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** Kubernetes' {@code $(VAR)} expansion; a variable it would leave unexpanded fails the test. */
    private static String expand(String text, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
            String value = variables.get(matcher.group(1));
            if (value == null) {
                fail("'" + text + "' uses $(" + matcher.group(1) + "), which the container does not define");
            }
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(expanded);
        return expanded.toString();
    }

    /** The image's WORKDIR: what relative paths on the command line would be relative to. */
    private static Path workingDirectory() {
        try {
            Matcher workdir = Pattern.compile("(?m)^WORKDIR (\\S+)").matcher(Files.readString(KUBERNETES.resolve("Dockerfile")));
            assertTrue(workdir.find(), "the Dockerfile sets a WORKDIR");
            return Path.of(workdir.group(1));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- what the pod mounts and exposes ----------------------------------------------------------

    /** The files of the Secret volume, where the container mounts them. */
    private static Set<Path> secretFiles() {
        List<Path> files = new ArrayList<>();
        for (Object item : list(at(statefulSet, "spec", "template", "spec", "volumes"))) {
            Map<String, Object> volume = map(item, "volume");
            if (!volume.containsKey("secret")) {
                continue;
            }
            Path mounted = mountPath(String.valueOf(volume.get("name")));
            Object items = at(volume, "secret", "items");
            assertNotNull(items, "the Secret volume lists its files (items), so the test knows them");
            for (Object entry : list(items)) {
                files.add(mounted.resolve(String.valueOf(map(entry, "item").get("path"))));
            }
        }
        assertFalse(files.isEmpty(), "a Secret volume with the certificates");
        return Set.copyOf(files);
    }

    private static Path mountPath(String volume) {
        return list(container.get("volumeMounts")).stream().map(mount -> map(mount, "volume mount"))
                .filter(mount -> volume.equals(mount.get("name"))).map(mount -> Path.of(String.valueOf(mount.get("mountPath"))))
                .findFirst().orElseThrow(() -> new AssertionError("the container does not mount volume " + volume));
    }

    private static Set<Integer> containerPorts() {
        return Set.copyOf(list(container.get("ports")).stream()
                .map(port -> (Integer) map(port, "port").get("containerPort")).toList());
    }

    /** A port by number or by the container port's name. */
    private static int containerPort(Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        return list(container.get("ports")).stream().map(p -> map(p, "port")).filter(p -> port.equals(p.get("name")))
                .map(p -> (Integer) p.get("containerPort")).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port));
    }

    private static Map<String, Object> podLabels() {
        return map(at(statefulSet, "spec", "template", "metadata", "labels"), "pod labels");
    }

    private static void assertSelects(Map<String, Object> selector, Map<String, Object> labels, String what) {
        assertFalse(selector.isEmpty(), what + " selects something");
        selector.forEach((key, value) -> assertEquals(value, labels.get(key), what + " selects the members' pods"));
    }

    // ---- YAML navigation --------------------------------------------------------------------------

    private static Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, found.size(), "one " + kind + " in the manifest");
        return found.get(0);
    }

    private static Map<String, Object> service(String name) {
        return documents.stream().filter(d -> "Service".equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no Service named " + name));
    }

    private static Object at(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            if (current == null) {
                return null;
            }
            current = map(current, key).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node, String what) {
        assertInstanceOf(Map.class, node, what + " must be a mapping");
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        assertInstanceOf(List.class, node, "a list expected");
        return (List<Object>) node;
    }

    @SafeVarargs
    private static List<URI> concat(List<URI>... lists) {
        List<URI> all = new ArrayList<>();
        for (List<URI> list : lists) {
            all.addAll(list);
        }
        return all;
    }
}
