package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpointConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of v2 requests does not grow the endpoint's threads or queue: past the admitted number each is
 * refused at once with 503 and etcd's "too many requests", and once the admitted ones finish the endpoint
 * answers again. The pool's only thread is held busy by the test so that the admitted requests stay waiting.
 */
class V2AdmissionTest {

    @TempDir
    Path dir;

    @Test
    void floodBeyondTheAdmittedIsRefusedAndTheEndpointStillAnswers() throws Exception {
        ThreadPoolExecutor oneThread = (ThreadPoolExecutor) Executors.newFixedThreadPool(1);
        CountDownLatch release = new CountDownLatch(1);
        oneThread.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (CairnServer server = CairnServer.builder().dataDir(dir).storage("rocksdb").start()) {
            HttpClientEndpoint endpoint = HttpClientEndpoint.start(server.clientIdentities(),
                    ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")), new V2Admission(oneThread, 2),
                    StreamAdmission.withDefaults());
            try {
                URI base = endpoint.boundUrls().get(0);
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
                List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    admitted.add(client.sendAsync(put(base, "/v2/keys/flood/a" + i, "v"), HttpResponse.BodyHandlers.ofString()));
                }
                await(() -> oneThread.getQueue().size() == 2);
                List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    flood.add(client.sendAsync(put(base, "/v2/keys/flood/b" + i, "v"), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> refused : flood) {
                    HttpResponse<String> response = refused.get(30, TimeUnit.SECONDS);
                    assertEquals(503, response.statusCode(), response.body());
                    assertEquals("{\"message\":\"etcdserver: too many requests\"}", response.body());
                }
                release.countDown();
                for (CompletableFuture<HttpResponse<String>> served : admitted) {
                    HttpResponse<String> response = served.get(30, TimeUnit.SECONDS);
                    assertEquals(201, response.statusCode(), response.body());
                }
                HttpResponse<String> after = client.send(HttpRequest.newBuilder(base.resolve("/v2/keys/flood/a0"))
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, after.statusCode(), after.body());
                assertEquals("v", HttpServerFixture.json(after).path("node").path("value").asText());
            } finally {
                endpoint.close(Duration.ofSeconds(5));
            }
        } finally {
            release.countDown();
            oneThread.shutdownNow();
        }
    }

    private static HttpRequest put(URI base, String path, String value) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("value=" + value)).build();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("the admitted requests never reached the pool");
            }
            Thread.sleep(20);
        }
    }
}
