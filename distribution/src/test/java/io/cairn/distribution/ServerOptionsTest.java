package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line: etcd's flags and defaults, and a named flag in every refusal. */
class ServerOptionsTest {

    private static final Path CWD = Path.of("/work/here");

    private static ServerOptions options(String... args) throws UsageException {
        return assertInstanceOf(ServerOptions.Run.class, ServerOptions.parse(List.of(args), CWD)).options();
    }

    @Test
    void defaultsAreEtcdsForAOneMemberCluster() throws UsageException {
        ServerOptions options = options();
        assertEquals("default", options.name());
        assertEquals(Path.of("/work/here/default.cairn"), options.dataDir());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379")), options.listenClientUrls());
        assertEquals(List.of(), options.advertiseClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2380")), options.initialAdvertisePeerUrls());
        assertEquals(Map.of("default", List.of(URI.create("http://localhost:2380"))), options.initialCluster());
        assertEquals(ServerOptions.ClusterState.NEW, options.initialClusterState());
        assertEquals("etcd-cluster", options.initialClusterToken());
        assertEquals(1572864, options.maxRequestBytes());
        assertEquals(128, options.maxTxnOps());
        assertEquals("rocksdb", options.storage());
        assertEquals(List.of("grpc"), options.transports());
        assertEquals(false, options.debug());
    }

    @Test
    void authAndStreamFlagsTakeEtcdsNamesAndDefaults() throws UsageException {
        ServerOptions defaults = options();
        assertEquals("simple", defaults.authToken());
        assertEquals(300, defaults.authTokenTtlSeconds());
        assertEquals(Integer.MAX_VALUE, defaults.maxConcurrentStreams(), "etcd's 2^32-1: no limit");
        ServerOptions given = options("--auth-token", "jwt,pub-key=keys/a.pub,priv-key=/abs/a.key,sign-method=ES256,ttl=10m",
                "--auth-token-ttl", "60", "--max-concurrent-streams", "100");
        assertEquals("jwt,pub-key=/work/here/keys/a.pub,priv-key=/abs/a.key,sign-method=ES256,ttl=10m", given.authToken(),
                "key paths resolve against the working directory");
        assertEquals(60, given.authTokenTtlSeconds());
        assertEquals(100, given.maxConcurrentStreams());
        UsageException bad = assertThrows(UsageException.class,
                () -> ServerOptions.parse(List.of("--auth-token", "oauth"), CWD));
        assertTrue(bad.getMessage().contains("--auth-token"), bad.getMessage());
        UsageException streams = assertThrows(UsageException.class,
                () -> ServerOptions.parse(List.of("--max-concurrent-streams", "0"), CWD));
        assertTrue(streams.getMessage().contains("--max-concurrent-streams"), streams.getMessage());
    }

    @Test
    void etcdsOneMemberCommandLineIsAccepted() throws UsageException {
        ServerOptions options = options("--name", "n1", "--data-dir=/var/lib/n1", "--listen-client-urls",
                "http://127.0.0.1:2379,http://10.0.0.1:2379", "--advertise-client-urls", "http://10.0.0.1:2379",
                "-listen-peer-urls", "http://10.0.0.1:2380", "--initial-advertise-peer-urls", "http://10.0.0.1:2380",
                "--initial-cluster", "n1=http://10.0.0.1:2380", "--initial-cluster-state", "new",
                "--initial-cluster-token", "tkn", "--max-request-bytes", "10485760", "--max-txn-ops=1024",
                "--storage", "xodus", "--transport", "grpc", "--debug");
        assertEquals("n1", options.name());
        assertEquals(Path.of("/var/lib/n1"), options.dataDir());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379"), URI.create("http://10.0.0.1:2379")),
                options.listenClientUrls());
        assertEquals(List.of(URI.create("http://10.0.0.1:2379")), options.advertiseClientUrls());
        assertEquals(Map.of("n1", List.of(URI.create("http://10.0.0.1:2380"))), options.initialCluster());
        assertEquals("tkn", options.initialClusterToken());
        assertEquals(10485760, options.maxRequestBytes());
        assertEquals(1024, options.maxTxnOps());
        assertEquals("xodus", options.storage());
        assertTrue(options.debug());
    }

    @Test
    void nameSetsTheDefaultDataDirAndInitialCluster() throws UsageException {
        ServerOptions options = options("--name", "n7", "--initial-advertise-peer-urls",
                "http://127.0.0.1:12380,http://127.0.0.2:12380");
        assertEquals(Path.of("/work/here/n7.cairn"), options.dataDir());
        assertEquals(Map.of("n7", List.of(URI.create("http://127.0.0.1:12380"), URI.create("http://127.0.0.2:12380"))),
                options.initialCluster());
    }

    @Test
    void lastValueOfARepeatedFlagWinsAsInEtcd() throws UsageException {
        assertEquals("b", options("--name", "a", "--name", "b").name());
    }

    @Test
    void helpAndVersionNeedNoValidValues() throws UsageException {
        assertInstanceOf(ServerOptions.Help.class, ServerOptions.parse(List.of("--max-txn-ops", "x", "--help"), CWD));
        assertInstanceOf(ServerOptions.Help.class, ServerOptions.parse(List.of("-h"), CWD));
        assertInstanceOf(ServerOptions.Version.class, ServerOptions.parse(List.of("--version"), CWD));
    }

    record Refusal(List<String> args, String expected) {
        @Override
        public String toString() {
            return String.join(" ", args);
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal(List.of("--nmae", "x"), "unknown flag --nmae"),
                new Refusal(List.of("--name"), "--name needs a value"),
                new Refusal(List.of("--name", ""), "--name must not be empty"),
                new Refusal(List.of("serve"), "unexpected argument 'serve'"),
                new Refusal(List.of("--data-dir="), "--data-dir must not be empty"),
                new Refusal(List.of("--max-txn-ops", "0"), "--max-txn-ops must be a positive whole number"),
                new Refusal(List.of("--max-request-bytes", "1.5MiB"), "--max-request-bytes must be a positive whole number"),
                new Refusal(List.of("--listen-client-urls", "127.0.0.1:2379"), "--listen-client-urls"),
                new Refusal(List.of("--listen-client-urls", "http://127.0.0.1"), "has no port"),
                new Refusal(List.of("--listen-client-urls", "https://127.0.0.1:2379"), "uses https: give --cert-file and --key-file"),
                new Refusal(List.of("--listen-client-http-urls", "https://127.0.0.1:8443"),
                        "--listen-client-http-urls uses https: give --cert-file and --key-file"),
                new Refusal(List.of("--cert-file", "c.pem"), "--key-file is needed with --cert-file"),
                new Refusal(List.of("--cert-file", "c.pem", "--key-file", "k.pem", "--client-cert-auth"), "--client-cert-auth needs --trusted-ca-file"),
                new Refusal(List.of("--tls-min-version", "TLS1.1"), "--tls-min-version"),
                new Refusal(List.of("--listen-client-urls", "http://127.0.0.1:2379/v3"), "must be only http://host:port"),
                new Refusal(List.of("--listen-client-urls", "http://localhost:2379,http://127.0.0.1:2379"), "twice"),
                new Refusal(List.of("--advertise-client-urls", "http://a:1,"), "--advertise-client-urls has an empty URL"),
                new Refusal(List.of("--snapshot-count", "0"), "--snapshot-count must be a positive whole number"),
                new Refusal(List.of("--peer-transport", "gRPC"), "--peer-transport: 'gRPC' is not a provider id"),
                new Refusal(List.of("--name", "n1", "--initial-cluster", "n2=http://localhost:2380"),
                        "--initial-cluster has no member named 'n1'"),
                new Refusal(List.of("--initial-cluster", "default=http://10.0.0.9:2380"),
                        "--initial-advertise-peer-urls is http://localhost:2380"),
                new Refusal(List.of("--initial-cluster", "http://localhost:2380"), "is not name=peer-url"),
                new Refusal(List.of("--initial-cluster-state", "old"), "--initial-cluster-state must be new or existing"),
                new Refusal(List.of("--initial-cluster-token="), "--initial-cluster-token must not be empty"),
                new Refusal(List.of("--storage", "RocksDB"), "--storage: 'RocksDB' is not a provider id"),
                new Refusal(List.of("--transport", "grpc,grpc"), "--transport names 'grpc' twice"),
                new Refusal(List.of("--debug=maybe"), "--debug takes true or false"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void badCommandLinesNameTheFlag(Refusal refusal) {
        UsageException e = assertThrows(UsageException.class, () -> ServerOptions.parse(refusal.args(), CWD));
        assertTrue(e.getMessage().contains(refusal.expected()),
                () -> "expected '" + refusal.expected() + "' in: " + e.getMessage());
    }

    @Test
    void httpListensOnTheClientPortPlusOneUnlessTold() throws UsageException {
        assertEquals(List.of(URI.create("http://127.0.0.1:2380")), options().listenClientHttpUrls());
        assertEquals(List.of(URI.create("http://127.0.0.1:0"), URI.create("http://10.0.0.1:3380")),
                options("--listen-client-urls", "http://127.0.0.1:0,http://10.0.0.1:3379").listenClientHttpUrls());
        assertEquals(List.of(URI.create("http://127.0.0.1:8080")),
                options("--listen-client-http-urls", "http://localhost:8080").listenClientHttpUrls());
        assertEquals(List.of(), options("--listen-client-http-urls", "none").listenClientHttpUrls());
        // etcd's usual ports: 2380 is the peer port, so HTTP goes to 2381
        assertEquals(List.of(URI.create("http://127.0.0.1:2381")), options("--listen-client-urls", "http://127.0.0.1:2379",
                "--listen-peer-urls", "http://127.0.0.1:2380").listenClientHttpUrls());
        // a TLS client URL gets a TLS twin (served with the client TLS flags), never a plain-text one
        assertEquals(List.of(URI.create("https://127.0.0.1:2380")), options("--listen-client-urls", "https://127.0.0.1:2379",
                "--cert-file", "c.pem", "--key-file", "k.pem").listenClientHttpUrls());
        UsageException peer = assertThrows(UsageException.class, () -> options("--listen-client-http-urls",
                "http://127.0.0.1:2380", "--listen-peer-urls", "http://127.0.0.1:2380"));
        assertTrue(peer.getMessage().contains("is also a peer URL"), peer.getMessage());
        UsageException shared = assertThrows(UsageException.class, () -> options("--listen-client-urls",
                "http://127.0.0.1:2379", "--listen-client-http-urls", "http://127.0.0.1:2379"));
        assertTrue(shared.getMessage().contains("HTTP needs a port of its own"), shared.getMessage());
    }

    /** etcd's --listen-metrics-urls: off by default, a port of its own, https with the client TLS flags. */
    @Test
    void metricsUrlsAreEtcdsListenMetricsUrls() throws UsageException {
        assertEquals(List.of(), options().listenMetricsUrls());
        assertEquals(List.of(URI.create("http://127.0.0.1:2381"), URI.create("http://0.0.0.0:9379")),
                options("--listen-metrics-urls", "http://localhost:2381, http://0.0.0.0:9379").listenMetricsUrls());
        UsageException client = assertThrows(UsageException.class, () -> options("--listen-client-urls",
                "http://127.0.0.1:2379", "--listen-metrics-urls", "http://127.0.0.1:2379"));
        assertEquals("--listen-metrics-urls http://127.0.0.1:2379 is also in --listen-client-urls; the metrics endpoint"
                + " needs a port of its own", client.getMessage());
        UsageException http = assertThrows(UsageException.class, () -> options("--listen-metrics-urls",
                "http://127.0.0.1:2380"));
        assertTrue(http.getMessage().contains("is also in --listen-client-http-urls"), http.getMessage());
        UsageException noTls = assertThrows(UsageException.class, () -> options("--listen-metrics-urls",
                "https://127.0.0.1:2381"));
        assertEquals("--listen-metrics-urls uses https: give --cert-file and --key-file", noTls.getMessage());
        UsageException unix = assertThrows(UsageException.class, () -> options("--listen-metrics-urls",
                "unix://metrics.sock"));
        assertTrue(unix.getMessage().startsWith("--listen-metrics-urls: unix://metrics.sock"), unix.getMessage());
        ServerOptions tls = options("--listen-client-urls", "https://127.0.0.1:2379", "--cert-file", "c.pem",
                "--key-file", "k.pem", "--listen-metrics-urls", "https://127.0.0.1:2389,http://127.0.0.1:2390");
        assertEquals(List.of(URI.create("https://127.0.0.1:2389"), URI.create("http://127.0.0.1:2390")),
                tls.listenMetricsUrls());
    }
}
