package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.transport.TlsConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where settings come from besides the command line, with etcd's precedence: {@code CAIRN_*}
 * environment variables (etcd's {@code ETCD_*}) under the flags, and a YAML config file that, when
 * given, is the only source. Every refusal names the flag and where its value came from.
 */
class ConfigurationSourcesTest {

    @TempDir
    Path cwd;

    private ServerOptions.Run parse(Map<String, String> environment, String... args) throws UsageException {
        return assertInstanceOf(ServerOptions.Run.class, ServerOptions.parse(List.of(args), environment, cwd));
    }

    private Path file(String yaml) throws IOException {
        Path file = cwd.resolve("cairn.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private UsageException refused(Map<String, String> environment, String... args) {
        return assertThrows(UsageException.class, () -> ServerOptions.parse(List.of(args), environment, cwd));
    }

    // ---- environment variables ------------------------------------------------------------------

    @Test
    void environmentVariablesSetFlagsAndTheCommandLineWins() throws UsageException {
        ServerOptions.Run run = parse(Map.of("CAIRN_NAME", "from-env", "CAIRN_SNAPSHOT_COUNT", "500",
                "CAIRN_CLIENT_CERT_AUTH", "false", "CAIRN_MAX_TXN_OPS", "7", "PATH", "/usr/bin"), "--max-txn-ops", "9");
        assertEquals("from-env", run.options().name());
        assertEquals(cwd.resolve("from-env.cairn"), run.options().dataDir());
        assertEquals(500, run.options().snapshotCount());
        assertEquals(9, run.options().maxTxnOps(), "the flag wins over CAIRN_MAX_TXN_OPS, as etcd's over ETCD_*");
        assertEquals(List.of("recognized environment variable CAIRN_MAX_TXN_OPS, but unused: shadowed by"
                + " corresponding flag"), run.warnings());
    }

    @Test
    void unknownCairnVariablesAreWarnedAboutButTheLaunchersAreNot() throws UsageException {
        ServerOptions.Run run = parse(Map.of("CAIRN_NMAE", "x", "CAIRN_JAVA_OPTS", "-Xmx1g", "CAIRN_MIN_JAVA", "21"));
        assertEquals(List.of("unrecognized environment variable CAIRN_NMAE=x"), run.warnings());
        assertEquals("default", run.options().name());
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() {
        UsageException e = refused(Map.of("CAIRN_SNAPSHOT_COUNT", "lots"));
        assertEquals("--snapshot-count must be a positive whole number up to 2147483647, got 'lots'"
                + " (--snapshot-count is set by environment variable CAIRN_SNAPSHOT_COUNT)", e.getMessage());
        UsageException level = refused(Map.of("CAIRN_LOG_LEVEL", "loud"));
        assertTrue(level.getMessage().contains("--log-level must be debug, info, warn or error, got 'loud'")
                && level.getMessage().contains("environment variable CAIRN_LOG_LEVEL"), level.getMessage());
    }

    @Test
    void listenMetricsUrlsComesFromTheEnvironmentOrTheFile() throws IOException, UsageException {
        ServerOptions.Run fromEnvironment = parse(Map.of("CAIRN_LISTEN_METRICS_URLS", "http://127.0.0.1:9381"));
        assertEquals(List.of(URI.create("http://127.0.0.1:9381")), fromEnvironment.options().listenMetricsUrls());
        assertEquals(List.of(), fromEnvironment.warnings());
        Path file = file("""
                listen-metrics-urls: [http://127.0.0.1:9382, http://127.0.0.1:9383]
                """);
        ServerOptions.Run fromFile = parse(Map.of(), "--config-file", file.toString());
        assertEquals(List.of(URI.create("http://127.0.0.1:9382"), URI.create("http://127.0.0.1:9383")),
                fromFile.options().listenMetricsUrls());
        assertEquals(List.of(), fromFile.warnings(), "etcd's key is a setting of Cairn's, not ignored");
    }

    // ---- the config file ------------------------------------------------------------------------

    @Test
    void theConfigFileTakesEtcdsKeysIncludingTheTlsSections() throws IOException, UsageException {
        Path file = file("""
                name: n2
                data-dir: data/n2
                listen-client-urls: https://127.0.0.1:2379
                listen-peer-urls: [https://127.0.0.1:2380]      # a YAML list is joined with commas
                initial-advertise-peer-urls: https://127.0.0.1:2380
                initial-cluster: n1=https://127.0.0.2:2380,n2=https://127.0.0.1:2380
                initial-cluster-state: existing
                snapshot-count: 2500
                max-txn-ops: 64
                storage: xodus
                wal-dir:
                heartbeat-interval: 100
                client-transport-security:
                  cert-file: pki/server.crt
                  key-file: pki/server.key
                  client-cert-auth: true
                  trusted-ca-file: pki/ca.crt
                  auto-tls: false
                peer-transport-security:
                  cert-file: pki/peer.crt
                  key-file: pki/peer.key
                  client-cert-auth: yes
                  trusted-ca-file: pki/ca.crt
                log-level: warn
                log-format: json
                """);
        ServerOptions.Run run = parse(Map.of(), "--config-file", file.toString());
        ServerOptions options = run.options();
        assertEquals("n2", options.name());
        assertEquals(cwd.resolve("data/n2"), options.dataDir());
        assertEquals(List.of(URI.create("https://127.0.0.1:2379")), options.listenClientUrls());
        assertEquals(List.of(URI.create("https://127.0.0.1:2380")), options.listenPeerUrls());
        assertEquals(2, options.initialCluster().size());
        assertEquals(ServerOptions.ClusterState.EXISTING, options.initialClusterState());
        assertEquals(2500, options.snapshotCount());
        assertEquals(64, options.maxTxnOps());
        assertEquals("xodus", options.storage());
        TlsConfig client = options.clientTls().orElseThrow();
        assertEquals(cwd.resolve("pki/server.crt"), client.certificateChain());
        assertTrue(client.clientCertAuth());
        TlsConfig peer = options.peerTls().orElseThrow();
        assertEquals(cwd.resolve("pki/peer.key"), peer.privateKey());
        assertTrue(peer.clientCertAuth());
        assertEquals(new LogSetup.Settings(LogSetup.Level.WARN, LogSetup.Format.JSON), options.log());
        assertEquals(List.of("config file " + file + ": key heartbeat-interval is ignored: Cairn has no such setting"),
                run.warnings());
    }

    @Test
    void withAConfigFileOtherFlagsAndVariablesAreIgnoredAsInEtcd() throws IOException, UsageException {
        Path file = file("name: from-file\n");
        ServerOptions.Run run = parse(Map.of("CAIRN_NAME", "from-env", "CAIRN_MAX_TXN_OPS", "3"),
                "--config-file", file.toString(), "--name", "from-flag");
        assertEquals("from-file", run.options().name());
        assertEquals(128, run.options().maxTxnOps(), "etcd's default, not CAIRN_MAX_TXN_OPS");
        assertEquals(List.of(
                "flag --name is ignored: with a config file, other flags and environment variables are ignored (as in etcd)",
                "environment variable CAIRN_NAME is ignored: with a config file, other flags and environment variables"
                        + " are ignored (as in etcd)",
                "environment variable CAIRN_MAX_TXN_OPS is ignored: with a config file, other flags and environment"
                        + " variables are ignored (as in etcd)"), run.warnings());
    }

    @Test
    void theConfigFileMayComeFromTheEnvironment() throws IOException, UsageException {
        Path file = file("name: via-env-file\n");
        assertEquals("via-env-file", parse(Map.of("CAIRN_CONFIG_FILE", file.toString())).options().name());
        Files.writeString(cwd.resolve("empty.yaml"), "# nothing set\n");
        assertEquals("default", parse(Map.of(), "--config-file", "empty.yaml").options().name(),
                "an empty file leaves every default; a relative path is relative to the working directory");
    }

    @Test
    void theShippedExampleIsValid() throws UsageException {
        // conf/cairn.yaml of the package, as it is shipped (paths need not exist to be parsed)
        Path shipped = Path.of("src/main/dist/conf/cairn.yaml").toAbsolutePath();
        ServerOptions options = parse(Map.of(), "--config-file", shipped.toString()).options();
        assertEquals("n1", options.name());
        assertEquals(3, options.initialCluster().size());
        assertTrue(options.clientTls().orElseThrow().clientCertAuth());
        assertTrue(options.peerTls().orElseThrow().clientCertAuth());
        assertEquals(List.of(), options.listenClientHttpUrls());
    }

    record FileRefusal(String yaml, String expected) {
        @Override
        public String toString() {
            return yaml.replace('\n', ' ');
        }
    }

    static Stream<FileRefusal> fileRefusals() {
        return Stream.of(
                new FileRefusal("snapshot-count: -1\n", "--snapshot-count must be a positive whole number up to"
                        + " 2147483647, got '-1' (--snapshot-count is set by key snapshot-count of config file "),
                new FileRefusal("client-transport-security:\n  cert-file: c.pem\n", "--key-file is needed with --cert-file"
                        + " (--cert-file is set by key client-transport-security.cert-file of config file "),
                new FileRefusal("nmae: n1\n", "unknown key 'nmae' (keys are the flags' names without --"),
                new FileRefusal("peer-transport-security:\n  cert: c.pem\n", "unknown key 'peer-transport-security.cert'"),
                new FileRefusal("peer-transport-security: yes\n", "peer-transport-security must be a section with keys"),
                new FileRefusal("name:\n  first: n1\n", "key name takes a value, not a section"),
                new FileRefusal("- name\n- n1\n", "must be a mapping of keys to values (name: n1), not a list"),
                new FileRefusal("name: [n1\n", "is not valid YAML"),
                new FileRefusal("name: a\nname: b\n", "is not valid YAML"),
                new FileRefusal("config-file: other.yaml\n", "key config-file cannot be set in a config file"),
                new FileRefusal("log-format: xml\n", "--log-format must be text or json, got 'xml'"),
                new FileRefusal("client-cert-auth: maybe\n", "--client-cert-auth takes true or false, got 'maybe'"));
    }

    @ParameterizedTest
    @MethodSource("fileRefusals")
    void badConfigFilesNameTheKey(FileRefusal refusal) throws IOException {
        Path file = file(refusal.yaml());
        UsageException e = refused(Map.of(), "--config-file", file.toString());
        assertTrue(e.getMessage().contains(refusal.expected()), () -> "expected '" + refusal.expected() + "' in: "
                + e.getMessage());
    }

    @Test
    void aMissingConfigFileIsNamed() {
        UsageException e = refused(Map.of(), "--config-file", "nowhere.yaml");
        assertEquals("--config-file: no such file " + cwd.resolve("nowhere.yaml"), e.getMessage());
    }

    // ---- logs ---------------------------------------------------------------------------------

    @Test
    void logLevelTakesEtcdsNamesAndFormatTextOrJson() throws UsageException {
        assertEquals(LogSetup.Settings.DEFAULT, parse(Map.of()).options().log());
        assertEquals(new LogSetup.Settings(LogSetup.Level.ERROR, LogSetup.Format.TEXT),
                parse(Map.of(), "--log-level", "fatal").options().log());
        assertEquals(new LogSetup.Settings(LogSetup.Level.DEBUG, LogSetup.Format.JSON),
                parse(Map.of("CAIRN_LOG_FORMAT", "json"), "--log-level=debug").options().log());
        assertTrue(refused(Map.of(), "--log-format", "yaml").getMessage().contains("--log-format must be text or json"));
    }
}
