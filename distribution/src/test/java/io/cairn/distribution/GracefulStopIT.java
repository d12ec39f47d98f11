package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A request in flight when {@code cairn} gets SIGTERM is answered, not cut: a lock call waiting on the
 * JSON gateway keeps waiting while the member stops (new requests get 503 meanwhile), and when the lock
 * is released (through gRPC, which closes after HTTP) it gets its key, then the process exits 0; on a
 * leader, after it handed leadership over.
 */
class GracefulStopIT {

    private static final Pattern LEASE_ID = Pattern.compile("\"ID\"\\s*:\\s*\"(\\d+)\"");

    /** One HTTP answer. */
    record Answer(int status, String body) {}

    @Test
    void aWaitingLockCallIsAnsweredAcrossSigterm() throws Exception {
        Etcdctl.find();
        try (CairnProcess cairn = CairnProcess.start(CairnProcess.newDataDir("graceful-stop"),
                "--listen-client-urls", "http://127.0.0.1:0", "--listen-client-http-urls", "http://127.0.0.1:0")) {
            lockWaiterIsAnsweredWhile(cairn, cairn);
        }
    }

    /**
     * The same on the leader of three members: SIGTERM makes it hand leadership over first (clients are
     * served meanwhile), then stop as above; the waiter is answered, the others go on.
     */
    @Test
    void aLeaderHandsOverThenAnswersItsWaitingLockCall() throws Exception {
        Etcdctl.find();
        Path root = CairnProcess.newDataDir("graceful-cluster");
        int[] peerPorts = {freePort(), freePort(), freePort()};
        String initialCluster = "g1=http://127.0.0.1:" + peerPorts[0] + ",g2=http://127.0.0.1:" + peerPorts[1]
                + ",g3=http://127.0.0.1:" + peerPorts[2];
        List<CompletableFuture<CairnProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String peer = "http://127.0.0.1:" + peerPorts[i];
            String[] flags = {"--name", "g" + (i + 1), "--listen-client-urls", "http://127.0.0.1:0",
                    "--listen-client-http-urls", "http://127.0.0.1:0", "--listen-peer-urls", peer,
                    "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster};
            Path dataDir = root.resolve("g" + (i + 1) + ".cairn");
            // a thread each: every start waits for a leader, which needs the others started too
            CompletableFuture<CairnProcess> started = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    started.complete(CairnProcess.start(dataDir, flags));
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            });
            starting.add(started);
        }
        List<CairnProcess> members = new ArrayList<>();
        try {
            for (CompletableFuture<CairnProcess> started : starting) {
                members.add(started.get(CairnProcess.START_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS));
            }
            CairnProcess leader = members.stream().filter(GracefulStopIT::isLeader).findFirst()
                    .orElseThrow(() -> new AssertionError("no member says it leads"));
            CairnProcess other = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
            String log = lockWaiterIsAnsweredWhile(leader, other);
            assertTrue(log.contains("leadership handed over to g"), log);
            Answer after = post(other.httpUrl(), "/v3/kv/put", "{\"key\":\"" + b64("after") + "\",\"value\":\""
                    + b64("stop") + "\"}");
            assertEquals(200, after.status(), "the others go on: " + after.body());
        } finally {
            for (CompletableFuture<CairnProcess> started : starting) {
                started.thenAccept(CairnProcess::close);
            }
        }
    }

    /**
     * Holds lock "graceful" on {@code stopping}, queues a second lock call there, SIGTERMs it, waits
     * until its HTTP endpoint refuses new requests with the call still in flight, releases the lock
     * through {@code releaser}'s gRPC endpoint, and requires the call's answer and a clean exit.
     *
     * @return the stopped member's log
     */
    private static String lockWaiterIsAnsweredWhile(CairnProcess stopping, CairnProcess releaser) throws Exception {
        URI http = stopping.httpUrl();
        String holderLease = grantLease(http);
        String waiterLease = grantLease(http);
        Answer held = post(http, "/v3/lock/lock", lock(holderLease));
        assertEquals(200, held.status(), held.body());

        CompletableFuture<Answer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return call(http.resolve("/v3/lock/lock"), "POST", lock(waiterLease), Duration.ofSeconds(120));
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a reset: the failure this test is about
            }
        }, task -> Thread.ofPlatform().daemon().start(task));
        await("the waiter queued", () -> post(http, "/v3/kv/range", "{\"key\":\"" + b64("graceful/")
                + "\",\"range_end\":\"" + b64("graceful0") + "\",\"count_only\":true}").body().contains("\"count\":\"2\""));
        assertFalse(waiter.isDone(), "the lock is held: the waiter waits");

        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(stopping::stop,
                task -> Thread.ofPlatform().daemon().start(task));
        // the HTTP endpoint is stopping once it refuses new requests; the waiter is still in flight
        await("the HTTP endpoint to refuse new requests", () -> refused(http));
        assertFalse(waiter.isDone(), () -> "the waiter is still in flight while the member stops: " + waiter.join());

        // gRPC closes after HTTP: release the lock through it
        new Etcdctl(releaser.endpoint()).ok("lease", "revoke", Long.toHexString(Long.parseLong(holderLease)));
        Answer answered = waiter.get(60, TimeUnit.SECONDS);
        assertEquals(200, answered.status(), answered.body());
        assertTrue(answered.body().contains("\"key\":\"" + b64("graceful/" + Long.toHexString(Long.parseLong(waiterLease)))
                + "\""), answered.body());
        assertEquals(0, exit.get(90, TimeUnit.SECONDS), stopping::stderr);
        assertTrue(stopping.stderr().contains("SIGTERM received, stopping"), stopping::stderr);
        return stopping.stderr();
    }

    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"(\\d+)\"");

    private static boolean isLeader(CairnProcess member) {
        Answer status = post(member.httpUrl(), "/v3/maintenance/status", "{}");
        Matcher leader = LEADER.matcher(status.body());
        Matcher self = MEMBER_ID.matcher(status.body());
        assertTrue(status.status() == 200 && leader.find() && self.find(), status.body());
        return leader.group(1).equals(self.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static boolean refused(URI http) {
        try {
            return call(http.resolve("/version"), "GET", null, Duration.ofSeconds(10)).status() == 503;
        } catch (IOException e) {
            return true; // already closed: the waiter's answer below says whether it was cut
        }
    }

    private static String grantLease(URI http) {
        Answer granted = post(http, "/v3/lease/grant", "{\"TTL\": 120}");
        Matcher id = LEASE_ID.matcher(granted.body());
        assertTrue(granted.status() == 200 && id.find(), granted.body());
        return id.group(1);
    }

    private static String lock(String lease) {
        return "{\"name\":\"" + b64("graceful") + "\",\"lease\":\"" + lease + "\"}";
    }

    private static Answer post(URI http, String path, String body) {
        try {
            return call(http.resolve(path), "POST", body, Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new AssertionError(path + ": " + e, e);
        }
    }

    /** One request; a streamed body, so that HttpURLConnection never sends a POST twice. */
    private static Answer call(URI url, String method, String body, Duration timeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout((int) timeout.toMillis());
        connection.setReadTimeout((int) timeout.toMillis());
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(bytes.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = connection.getResponseCode();
        InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        connection.disconnect();
        return new Answer(status, text);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
