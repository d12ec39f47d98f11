package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.cairn.conformance.linearizability.Result;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One workload client of the cluster verification on etcd's JSON gateway ({@code /v3/kv/put},
 * {@code /v3/kv/range}, {@code /v3/kv/deleterange}, {@code /v3/kv/txn}) instead of gRPC: each call
 * goes to one member's HTTP URL, and after a failure the next call goes to the next member (as a
 * client with several endpoints would). Answers become the checker's {@link Result}s; any failure
 * (refused, timed out, an error status) is an exception, which the workload records as an unknown
 * outcome for a write and a failed one for a read.
 */
final class GatewayKv {

    private final List<String> memberUrls;
    private final int timeoutMillis;
    private int current;

    GatewayKv(List<String> memberUrls, int first, int timeoutMillis) {
        this.memberUrls = List.copyOf(memberUrls);
        this.current = first % memberUrls.size();
        this.timeoutMillis = timeoutMillis;
    }

    Result.PutResult put(String key, String value) throws IOException {
        Map<String, Object> answer = call("/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
        return Result.put(headerRevision(answer));
    }

    /** A linearizable read of one key (the gateway's default, as etcd's). */
    Result.GetResult get(String key) throws IOException {
        Map<String, Object> answer = call("/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}");
        Object kvs = answer.get("kvs");
        if (kvs == null || ((List<?>) kvs).isEmpty()) {
            return Result.get(null, 0, headerRevision(answer));
        }
        Map<String, Object> kv = Json.object(((List<?>) kvs).get(0));
        return Result.get(unb64((String) kv.get("value")), int64(kv, "mod_revision"), headerRevision(answer));
    }

    Result.DeleteResult delete(String key) throws IOException {
        Map<String, Object> answer = call("/v3/kv/deleterange", "{\"key\":\"" + b64(key) + "\"}");
        return new Result.DeleteResult(int64(answer, "deleted"), null, headerRevision(answer));
    }

    /** A txn: if the key's value equals {@code expected}, put {@code value}. */
    Result.CasResult casValue(String key, String expected, String value) throws IOException {
        String body = "{\"compare\":[{\"key\":\"" + b64(key) + "\",\"result\":\"EQUAL\",\"target\":\"VALUE\",\"value\":\""
                + b64(expected) + "\"}],\"success\":[{\"request_put\":{\"key\":\"" + b64(key) + "\",\"value\":\""
                + b64(value) + "\"}}]}";
        Map<String, Object> answer = call("/v3/kv/txn", body);
        // proto3 JSON leaves out a false "succeeded", as etcd's gateway does
        return new Result.CasResult(Boolean.TRUE.equals(answer.get("succeeded")), headerRevision(answer));
    }

    private Map<String, Object> call(String path, String body) throws IOException {
        String base = memberUrls.get(current);
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(Math.min(2_000, timeoutMillis));
            connection.setReadTimeout(timeoutMillis);
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            byte[] bytes = body.getBytes(UTF_8);
            // a streamed body is never resent: HttpURLConnection otherwise repeats a POST whose answer it
            // failed to read on a reused connection (sun.net.http.retryPost), a write no history would explain
            connection.setFixedLengthStreamingMode(bytes.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
            int status = connection.getResponseCode();
            String text;
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                text = in == null ? "" : new String(in.readAllBytes(), UTF_8);
            }
            if (status != 200) {
                throw new IOException(base + path + " answered " + status + ": " + text);
            }
            return Json.object(Json.parse(text));
        } catch (IOException | RuntimeException e) {
            current = (current + 1) % memberUrls.size();
            throw e instanceof IOException io ? io : new IOException(base + path + ": " + e, e);
        }
    }

    private static long headerRevision(Map<String, Object> answer) {
        return int64(Json.object(answer.get("header")), "revision");
    }

    /** A proto3 JSON int64: a string, absent when 0. */
    private static long int64(Map<String, Object> object, String key) {
        Object value = object.get(key);
        if (value == null) {
            return 0;
        }
        return value instanceof Number n ? n.longValue() : Long.parseLong((String) value);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
    }

    private static String unb64(String base64) {
        return base64 == null ? "" : new String(Base64.getDecoder().decode(base64), UTF_8);
    }
}
