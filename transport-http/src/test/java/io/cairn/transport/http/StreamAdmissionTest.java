package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpointConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open streams are bounded per endpoint: with room for three, a fourth watch is refused at once with etcd's
 * overload error in the gateway's shape (429, code 8) and a v2 long poll with etcd's v2 overload answer (503),
 * while unary calls go on; once a client goes away its place is free again for a new stream.
 */
class StreamAdmissionTest {

    private static final String TOO_MANY =
            "{\"error\":\"etcdserver: too many requests\",\"code\":8,\"message\":\"etcdserver: too many requests\"}";

    @TempDir
    Path dir;

    @Test
    void streamsPastTheBoundAreRefusedUntilOneCloses() throws Exception {
        try (CairnServer server = CairnServer.builder().dataDir(dir).storage("rocksdb").start()) {
            HttpClientEndpoint endpoint = HttpClientEndpoint.start(server.clientIdentities(),
                    ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")), V2Admission.withDefaults(),
                    new StreamAdmission(3));
            List<Socket> open = new ArrayList<>();
            try {
                URI base = endpoint.boundUrls().get(0);
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
                for (int i = 0; i < 3; i++) {
                    Socket watch = connect(base);
                    open.add(watch);
                    assertEquals(200, startWatch(watch, "held-" + i));
                }

                HttpResponse<String> refused = client.send(post(base, "/v3/watch", watchBody("one-too-many")),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(429, refused.statusCode(), refused.body());
                assertEquals(TOO_MANY, refused.body());
                HttpResponse<String> refusedObserve = client.send(post(base, "/v3/election/observe",
                        "{\"name\": \"" + b64("e") + "\"}"), HttpResponse.BodyHandlers.ofString());
                assertEquals(429, refusedObserve.statusCode(), refusedObserve.body());
                assertEquals(TOO_MANY, refusedObserve.body());
                HttpResponse<String> refusedPoll = client.send(HttpRequest.newBuilder(base.resolve("/v2/keys/poll?wait=true"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, refusedPoll.statusCode(), refusedPoll.body());
                assertEquals("{\"message\":\"etcdserver: too many requests\"}", refusedPoll.body());

                // unary calls, v3 and v2, are not streams: they are served while the streams are full
                HttpResponse<String> put = client.send(post(base, "/v3/kv/put",
                        "{\"key\": \"" + b64("unary") + "\", \"value\": \"" + b64("v") + "\"}"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, put.statusCode(), put.body());
                HttpResponse<String> range = client.send(post(base, "/v3/kv/range", "{\"key\": \"" + b64("unary") + "\"}"),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(b64("v"), HttpServerFixture.json(range).path("kvs").path(0).path("value").asText(), range.body());
                HttpResponse<String> v2Get = client.send(HttpRequest.newBuilder(base.resolve("/v2/keys/"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, v2Get.statusCode(), v2Get.body());

                // the first watcher goes away; its stream ends when the server next writes to it (an event)
                open.remove(0).close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    HttpResponse<String> event = client.send(post(base, "/v3/kv/put",
                            "{\"key\": \"" + b64("held-0") + "\", \"value\": \"" + b64("x") + "\"}"),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, event.statusCode(), event.body());
                    Socket watch = connect(base);
                    int status = startWatch(watch, "after");
                    if (status == 200) {
                        open.add(watch);
                        break;
                    }
                    watch.close();
                    assertEquals(429, status);
                    if (System.nanoTime() > deadline) {
                        fail("the place of the closed watch never became free");
                    }
                    Thread.sleep(50);
                }
                HttpResponse<String> fullAgain = client.send(post(base, "/v3/watch", watchBody("full-again")),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(429, fullAgain.statusCode(), fullAgain.body());
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
                endpoint.close(Duration.ofSeconds(5));
            }
        }
    }

    private static Socket connect(URI base) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Sends a watch request on {@code socket} and returns the status of its response. */
    private static int startWatch(Socket socket, String key) throws IOException {
        byte[] body = watchBody(key).getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v3/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        // the status line only: the stream's headers are flushed once it holds its place
        String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (statusLine == null) {
            fail("the server closed the connection without an answer");
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static String watchBody(String key) {
        return "{\"create_request\": {\"key\": \"" + b64(key) + "\"}}";
    }

    private static HttpRequest post(URI base, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
