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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A request in flight when {@code cairn} gets SIGTERM is answered, not cut: a lock call waiting on the
 * JSON gateway keeps waiting while the member stops (new requests get 503 meanwhile), and when the lock
 * is released (through gRPC, which closes after HTTP) it gets its key, then the process exits 0.
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
            URI http = cairn.httpUrl();
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

            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(cairn::stop,
                    task -> Thread.ofPlatform().daemon().start(task));
            // the HTTP endpoint is stopping once it refuses new requests; the waiter is still in flight
            await("the HTTP endpoint to refuse new requests", () -> refused(http));
            assertFalse(waiter.isDone(), () -> "the waiter is still in flight while the member stops: " + waiter.join());

            // gRPC closes after HTTP: release the lock through it
            new Etcdctl(cairn.endpoint()).ok("lease", "revoke", Long.toHexString(Long.parseLong(holderLease)));
            Answer answered = waiter.get(60, TimeUnit.SECONDS);
            assertEquals(200, answered.status(), answered.body());
            assertTrue(answered.body().contains("\"key\":\"" + b64("graceful/" + Long.toHexString(Long.parseLong(waiterLease)))
                    + "\""), answered.body());
            assertEquals(0, exit.get(90, TimeUnit.SECONDS), cairn::stderr);
            assertTrue(cairn.stderr().contains("SIGTERM received, stopping"), cairn::stderr);
        }
    }

    private boolean refused(URI http) {
        try {
            return call(http.resolve("/version"), "GET", null, Duration.ofSeconds(10)).status() == 503;
        } catch (IOException e) {
            return true; // already closed: the waiter's answer below says whether it was cut
        }
    }

    private String grantLease(URI http) {
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
