package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's own etcdctl (v3 API) against one packaged server process; every test uses its own key
 * prefix, and outputs are checked as etcdctl prints them.
 */
class EtcdctlIT {

    private static final String ADVERTISED_CLIENT_URL = "http://cairn-n1.example:2379";

    private static CairnProcess server;
    private static Etcdctl etcdctl;

    @BeforeAll
    static void startServer() {
        Etcdctl.find(); // fails at once, with the install hint, when etcdctl is missing
        // etcd's own command line for a one-member cluster, unchanged but for the client port and the
        // peer listen port (any free one: the member list shows the advertised URL)
        server = CairnProcess.start(CairnProcess.newDataDir("etcdctl"),
                "--advertise-client-urls", ADVERTISED_CLIENT_URL,
                "--listen-peer-urls", "http://127.0.0.1:0",
                "--initial-advertise-peer-urls", "http://127.0.0.1:12380",
                "--initial-cluster", "n1=http://127.0.0.1:12380",
                "--initial-cluster-state", "new",
                "--initial-cluster-token", "etcdctl-test");
        etcdctl = new Etcdctl(server.endpoint());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            int exit = server.stop();
            assertEquals(0, exit, () -> "SIGTERM should stop cleanly with 0; stderr:\n" + server.stderr());
            server.close();
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
    }

    private static long revision(Object json) {
        return Json.number(Json.object(json, "header"), "revision");
    }

    @Test
    void putThenGet() {
        assertEquals("OK\n", etcdctl.ok("put", "foo", "bar"));
        assertEquals("foo\nbar\n", etcdctl.ok("get", "foo"));
        assertEquals("", etcdctl.ok("get", "no-such-key"));
    }

    @Test
    void getPrefixKeysOnlyRevisionAndJson() {
        etcdctl.ok("put", "p/a", "1");
        etcdctl.ok("put", "p/b", "2");
        etcdctl.ok("put", "p/c", "3");
        etcdctl.ok("put", "q", "outside");
        assertEquals("p/a\n1\np/b\n2\np/c\n3\n", etcdctl.ok("get", "--prefix", "p/"));
        assertEquals(List.of("p/a", "p/b", "p/c"),
                etcdctl.ok("get", "--prefix", "--keys-only", "p/").lines().filter(l -> !l.isEmpty()).toList());

        Object json = Json.parse(etcdctl.ok("get", "p/b", "-w", "json"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> kvs = (List<Map<String, Object>>) Json.object(json).get("kvs");
        assertEquals(1, kvs.size(), json::toString);
        Map<String, Object> kv = kvs.get(0);
        assertEquals(b64("p/b"), kv.get("key"));
        assertEquals(b64("2"), kv.get("value"));
        long created = Json.number(kv, "create_revision");
        assertEquals(created, Json.number(kv, "mod_revision"));
        assertEquals(1, Json.number(kv, "version"));
        assertEquals(1, Json.number(Json.object(json), "count"));
        assertTrue(revision(json) >= created + 2, json::toString);

        etcdctl.ok("put", "p/b", "2bis");
        assertEquals("p/b\n2\n", etcdctl.ok("get", "p/b", "--rev=" + created), "--rev reads the old version");
        assertEquals("p/b\n2bis\n", etcdctl.ok("get", "p/b"));
    }

    @Test
    void delSingleAndPrefix() {
        etcdctl.ok("put", "d/1", "x");
        etcdctl.ok("put", "d/2", "x");
        etcdctl.ok("put", "d/3", "x");
        assertEquals("1\n", etcdctl.ok("del", "d/1"));
        assertEquals("0\n", etcdctl.ok("del", "d/1"));
        assertEquals("2\n", etcdctl.ok("del", "--prefix", "d/"));
        assertEquals("", etcdctl.ok("get", "--prefix", "d/"));
    }

    @Test
    void txnFromStandardInput() {
        etcdctl.ok("put", "t/k", "v1");
        String script = """
                value("t/k") = "v1"

                put t/k "v2"
                put t/other "o"

                put t/k "failed"

                """;
        CairnProcess.Result success = etcdctl.runWithInput(script, "txn");
        assertEquals(0, success.exitCode(), success::toString);
        assertEquals("SUCCESS\n\nOK\n\nOK\n", success.stdout());
        assertEquals("t/k\nv2\n", etcdctl.ok("get", "t/k"));

        CairnProcess.Result failure = etcdctl.runWithInput(script, "txn");
        assertEquals(0, failure.exitCode(), failure::toString);
        assertEquals("FAILURE\n\nOK\n", failure.stdout());
        assertEquals("t/k\nfailed\n", etcdctl.ok("get", "t/k"));
    }

    @Test
    void watchFromARevisionAndLive() {
        etcdctl.ok("put", "w/k", "one");
        long start = revision(Json.parse(etcdctl.ok("get", "w/k", "-w", "json")));
        etcdctl.ok("put", "w/k", "two");
        etcdctl.ok("del", "w/k");
        try (CairnProcess.Background watch = etcdctl.background("watch", "--rev=" + start, "w/k")) {
            List<String> lines = watch.awaitLines(8, Duration.ofSeconds(20));
            assertEquals(List.of("PUT", "w/k", "one", "PUT", "w/k", "two", "DELETE", "w/k"), lines.subList(0, 8));
        }
        try (CairnProcess.Background watch = etcdctl.background("watch", "--prefix", "live/")) {
            // the watch starts asynchronously: put until its first event shows, then check that event
            int i = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (watch.stdout().isEmpty() && System.nanoTime() < deadline) {
                etcdctl.ok("put", "live/" + i, "v" + i);
                i++;
                CairnProcess.sleep(200);
            }
            List<String> lines = watch.awaitLines(3, Duration.ofSeconds(5));
            assertEquals("PUT", lines.get(0));
            Matcher key = Pattern.compile("live/(\\d+)").matcher(lines.get(1));
            assertTrue(key.matches(), lines::toString);
            assertEquals("v" + key.group(1), lines.get(2));
        }
    }

    @Test
    void leaseGrantKeepAliveTimeToLiveListRevoke() {
        Matcher granted = Pattern.compile("lease ([0-9a-f]+) granted with TTL\\(60s\\)\n")
                .matcher(etcdctl.ok("lease", "grant", "60"));
        assertTrue(granted.matches(), "lease grant output");
        String id = granted.group(1);
        etcdctl.ok("put", "--lease=" + id, "l/k", "leased");

        assertTrue(etcdctl.ok("lease", "keep-alive", "--once", id)
                .matches("lease " + id + " keepalived with TTL\\(60\\)\n"), "keep-alive --once output");
        String ttl = etcdctl.ok("lease", "timetolive", "--keys", id);
        Matcher remaining = Pattern.compile("lease " + id
                + " granted with TTL\\(60s\\), remaining\\((\\d+)s\\), attached keys\\(\\[l/k\\]\\)\n").matcher(ttl);
        assertTrue(remaining.matches(), ttl);
        assertTrue(Integer.parseInt(remaining.group(1)) >= 50 && Integer.parseInt(remaining.group(1)) <= 60, ttl);
        String list = etcdctl.ok("lease", "list");
        assertTrue(list.startsWith("found ") && list.lines().anyMatch(id::equals), list);

        assertEquals("lease " + id + " revoked\n", etcdctl.ok("lease", "revoke", id));
        assertEquals("", etcdctl.ok("get", "l/k"), "revoking the lease deletes its keys");
        assertEquals("lease " + id + " already expired\n", etcdctl.ok("lease", "timetolive", id));
        assertTrue(etcdctl.ok("lease", "list").lines().noneMatch(id::equals));
    }

    @Test
    void endpointStatusReportsAVersionEtcdctlAccepts() {
        @SuppressWarnings("unchecked")
        List<Object> statuses = (List<Object>) Json.parse(etcdctl.ok("endpoint", "status", "-w", "json"));
        assertEquals(1, statuses.size());
        Map<String, Object> status = Json.object(statuses.get(0), "Status");
        assertTrue(String.valueOf(status.get("version")).matches("\\d+\\.\\d+\\.\\d+.*"), status::toString);
        assertEquals(Long.parseUnsignedLong(server.memberIdHex(), 16),
                ((Number) Json.object(status, "header").get("member_id")).longValue(), status::toString);
        assertEquals(Json.object(status, "header").get("member_id"), status.get("leader"), "a one-member cluster leads itself");

        String table = etcdctl.ok("endpoint", "status");
        assertTrue(table.startsWith(server.endpoint() + ", " + server.memberIdHex() + ", "), table);
    }

    @Test
    void memberListShowsThisMember() {
        String list = etcdctl.ok("member", "list");
        assertEquals(server.memberIdHex() + ", started, n1, http://127.0.0.1:12380, " + ADVERTISED_CLIENT_URL
                + ", false\n", list);
    }
}
