package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * etcd's {@code ETCD_*} environment variables as {@code CAIRN_*}, end to end: a real {@code cairn}
 * process started with no argument at all takes its name, data directory, URLs, limits and log
 * format from the environment ({@code ConfigurationSourcesTest} covers the parsing and precedence).
 */
class EnvironmentVariablesIT {

    @Test
    void aMemberStartedWithOnlyEnvironmentVariablesUsesThem() {
        Path dataDir = CairnProcess.newDataDir("env-only");
        String peerUrl = "http://127.0.0.1:12380"; // recorded in the member list; a one-member cluster does not listen on it
        String advertised = "http://env-member.example:2379";
        Map<String, String> environment = Map.of(
                "CAIRN_NAME", "env-member",
                "CAIRN_DATA_DIR", dataDir.toString(),
                "CAIRN_LISTEN_CLIENT_URLS", "http://127.0.0.1:0",
                "CAIRN_LISTEN_CLIENT_HTTP_URLS", "none",
                "CAIRN_ADVERTISE_CLIENT_URLS", advertised,
                "CAIRN_INITIAL_ADVERTISE_PEER_URLS", peerUrl,
                "CAIRN_INITIAL_CLUSTER", "env-member=" + peerUrl,
                "CAIRN_MAX_TXN_OPS", "2",
                "CAIRN_LOG_FORMAT", "json");
        try (CairnProcess server = CairnProcess.startWithEnvironment(environment, dataDir)) {
            assertTrue(server.stdout().contains("member env-member (" + server.memberIdHex() + ")"), server::stdout);
            assertTrue(server.stdout().contains("in " + dataDir + ","), server::stdout);
            assertTrue(Files.isDirectory(dataDir), "the data directory of CAIRN_DATA_DIR was made");
            assertFalse(server.stdout().contains("HTTP on"), "CAIRN_LISTEN_CLIENT_HTTP_URLS=none: " + server.stdout());

            Etcdctl etcdctl = new Etcdctl(server.endpoint());
            assertEquals(List.of(server.memberIdHex() + ", started, env-member, " + peerUrl + ", " + advertised + ", false"),
                    etcdctl.ok("member", "list").lines().toList(), "name and URLs from the environment");

            etcdctl.ok("put", "from", "env");
            CairnProcess.Result threeOps = etcdctl.runWithInput("\nput t/1 a\nput t/2 b\nput t/3 c\n\n\n", "txn");
            assertTrue(threeOps.exitCode() != 0
                    && threeOps.stderr().contains("etcdserver: too many operations in txn request"),
                    () -> "CAIRN_MAX_TXN_OPS=2 refuses 3 operations: " + threeOps);
            assertEquals("", etcdctl.ok("get", "--prefix", "t/"));

            assertEquals(0, server.stop(), server::stderr);
            List<String> logLines = server.stderr().lines().filter(line -> !line.isBlank()).toList();
            assertFalse(logLines.isEmpty(), "the member logs");
            assertTrue(logLines.stream().allMatch(line -> line.startsWith("{\"level\":")),
                    () -> "CAIRN_LOG_FORMAT=json: one JSON object per line:\n" + server.stderr());
            assertTrue(logLines.stream().anyMatch(line -> line.contains("\"msg\":\"ready to serve client requests\"")),
                    server::stderr);
            assertFalse(server.stderr().contains("environment variable"),
                    () -> "every CAIRN_* variable is known and none is shadowed: " + server.stderr());
        }
    }
}
