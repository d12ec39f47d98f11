package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.server.CairnServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real member (RocksDB, Raft, the MVCC store) started in-process with the {@code http} transport
 * found by id on a free port of 127.0.0.1, and a {@link HttpClient} to call it.
 */
final class HttpServerFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final CairnServer server;
    final URI base;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    HttpServerFixture(Path dataDir) {
        server = CairnServer.builder().dataDir(dataDir).storage("rocksdb")
                .clientUrls(List.of(URI.create("http://127.0.0.1:0"))).transports(List.of("http")).start();
        base = server.clientUrls().get(0);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** A form request as etcd's v2 clients send them. */
    HttpResponse<String> form(String method, String path, String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** POST {@code body} to {@code path}, require 200, and return the JSON. */
    JsonNode ok(String path, String body) {
        HttpResponse<String> response = post(path, body);
        assertEquals(200, response.statusCode(), () -> path + " " + body + " -> " + response.body());
        return json(response);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(JsonNode node) {
        return new String(Base64.getDecoder().decode(node.asText()), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
