package io.cairn.benchmark.load;

import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.server.CairnServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each subcommand of the load generator against an in-process member with its gRPC endpoint: short
 * runs that must send exactly the requests asked for and see no error. Nothing here is timed.
 */
class LoadGeneratorTest {

    @TempDir
    static Path dir;

    private static CairnServer server;
    private static String endpoint;

    @BeforeAll
    static void startServer() {
        server = CairnServer.builder().dataDir(dir.resolve("member"))
                .clientUrls(List.of(URI.create("http://127.0.0.1:0"))).start();
        URI url = server.clientUrls().get(0);
        endpoint = url.getHost() + ":" + url.getPort();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    private static LoadResult run(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoints", endpoint));
        LoadResult result = LoadGenerator.run(LoadOptions.parse(all));
        assertEquals(0, result.errors(), () -> "errors: " + result.errorKinds());
        assertTrue(result.errorKinds().isEmpty(), () -> result.errorKinds().toString());
        assertTrue(result.latencyMs().max() >= result.latencyMs().p50() && result.latencyMs().p50() >= result.latencyMs().min(),
                result::table);
        return result;
    }

    @Test
    void putSendsExactlyTheTotalOverManyClientsAndConnections() throws Exception {
        LoadResult result = run("put", "--total", "500", "--clients", "50", "--conns", "5", "--key-size", "16",
                "--val-size", "100", "--sequential-keys", "--key-space-size", "300");
        assertEquals(500, result.requests());
        assertTrue(result.requestsPerSecond() > 0);
        // sequential keys modulo the key space: keys 0..299 of 16 bytes, each written once or twice
        try (Connections connections = new Connections(List.of(endpoint), 1)) {
            var kvs = KVGrpc.newBlockingStub(connections.forClient(0)).range(RangeRequest.newBuilder()
                    .setKey(LoadGenerator.keyOf(0, 16)).setRangeEnd(LoadGenerator.keyOf(1000, 16)).build()).getKvsList()
                    .stream().filter(kv -> kv.getKey().size() == 16).toList();
            assertEquals(300, kvs.size());
            assertEquals(LoadGenerator.keyOf(299, 16), kvs.get(299).getKey());
            assertEquals(500, kvs.stream().mapToLong(kv -> kv.getVersion()).sum(), "500 puts over 300 keys");
            assertEquals(100, kvs.get(0).getValue().size());
        }
    }

    @Test
    void rangeLinearizableAndSerializable() throws Exception {
        assertEquals(200, run("range", "--total", "200", "--clients", "10", "--consistency", "l").requests());
        assertEquals(200, run("range", "--total", "200", "--clients", "10", "--consistency", "s").requests());
    }

    @Test
    void txnPutWithSeveralDistinctKeysPerTransaction() throws Exception {
        LoadResult result = run("txn-put", "--total", "300", "--clients", "20", "--conns", "2", "--txn-ops", "3",
                "--key-space-size", "1000");
        assertEquals(300, result.requests());
    }

    @Test
    void watchLatencyReceivesEveryEventAtEveryWatcher() throws Exception {
        LoadResult result = run("watch-latency", "--total", "20", "--rate", "200", "--streams", "2",
                "--watchers-per-stream", "3", "--conns", "2");
        assertEquals(20, result.extra().get("puts"));
        assertEquals(6, result.extra().get("watchers"));
        assertEquals(20 * 6, result.requests(), "each of the 6 watchers saw each of the 20 puts");
    }

    @Test
    void leaseKeepAliveOverOneStreamPerClient() throws Exception {
        assertEquals(400, run("lease-keepalive", "--total", "400", "--clients", "20", "--conns", "4").requests());
    }

    @Test
    void aDurationBoundsTheRunAndTheRateLimitsIt() throws Exception {
        // 50 requests per second for 0.4 s: about 20 requests, never the 10,000 default total
        LoadResult result = run("put", "--duration", "400ms", "--rate", "50", "--clients", "4");
        assertTrue(result.requests() > 0 && result.requests() <= 25, result::table);
    }

    @Test
    void jsonAndTableCarryTheFigures() throws Exception {
        Path json = dir.resolve("put.json");
        LoadResult result = run("put", "--total", "10", "--json", json.toString());
        assertTrue(result.table().contains("p99.9 ms"), result.table());
        String text = result.json();
        assertTrue(text.startsWith("{\"command\":\"put\"") && text.contains("\"requests\":10,") && text.contains("\"errors\":0,")
                && text.contains("\"p99.9\":"), text);
        assertTrue(!Files.exists(json), "the library does not write the file; the command line does");
    }

    @Test
    void badArgumentsAreNamed() {
        LoadOptions.UsageException unknown = assertThrows(LoadOptions.UsageException.class,
                () -> LoadOptions.parse(List.of("put", "--cleints", "3")));
        assertEquals("unknown option --cleints", unknown.getMessage());
        LoadOptions.UsageException consistency = assertThrows(LoadOptions.UsageException.class,
                () -> LoadOptions.parse(List.of("range", "--consistency", "x")));
        assertTrue(consistency.getMessage().contains("--consistency"), consistency.getMessage());
        assertThrows(LoadOptions.UsageException.class, () -> LoadOptions.parse(List.of("get")));
    }
}
