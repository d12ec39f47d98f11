package io.cairn.conformance;

import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * etcd's v3 messages over etcd's JSON gateway ({@code POST /v3/...}, proto3 JSON, errors as
 * {@code {"error","code","message"}} with the gRPC code number), with the JDK's HTTP client. A watch
 * is one POST whose body is the create request and whose response streams {@code {"result":...}} lines.
 */
final class HttpGatewayWire implements EtcdWire {

    private static final Map<String, String> PATHS = Map.ofEntries(
            Map.entry("etcdserverpb.KV/Range", "/v3/kv/range"),
            Map.entry("etcdserverpb.KV/Put", "/v3/kv/put"),
            Map.entry("etcdserverpb.KV/DeleteRange", "/v3/kv/deleterange"),
            Map.entry("etcdserverpb.KV/Txn", "/v3/kv/txn"),
            Map.entry("etcdserverpb.KV/Compact", "/v3/kv/compaction"),
            Map.entry("etcdserverpb.Lease/LeaseGrant", "/v3/lease/grant"),
            Map.entry("etcdserverpb.Lease/LeaseRevoke", "/v3/lease/revoke"),
            Map.entry("etcdserverpb.Lease/LeaseTimeToLive", "/v3/lease/timetolive"),
            Map.entry("etcdserverpb.Lease/LeaseLeases", "/v3/lease/leases"),
            Map.entry("etcdserverpb.Cluster/MemberList", "/v3/cluster/member/list"),
            Map.entry("etcdserverpb.Maintenance/Status", "/v3/maintenance/status"));
    /** gRPC's status codes by number, as the gateway's "code" field carries them. */
    private static final String[] CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    private static final Object END = new Object();

    private final URI base;
    private final HttpClient client;

    HttpGatewayWire(URI base, HttpClient client) {
        this.base = base;
        this.client = client;
    }

    HttpGatewayWire(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    private HttpRequest.Builder post(String path, Message body) throws EtcdWireException {
        try {
            return HttpRequest.newBuilder(base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(JsonFormat.printer().print(body)));
        } catch (IOException e) {
            throw new EtcdWireException("INTERNAL", "cannot print " + body + ": " + e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R extends Message> R call(String method, Message request, R responseType) throws EtcdWireException {
        String path = PATHS.get(method);
        if (path == null) {
            throw new IllegalArgumentException("no gateway path for " + method);
        }
        HttpResponse<String> response;
        try {
            response = client.send(post(path, request).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new EtcdWireException("UNAVAILABLE", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdWireException("CANCELLED", "interrupted");
        }
        if (response.statusCode() != 200) {
            throw error(response.body());
        }
        Message.Builder builder = responseType.newBuilderForType();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(response.body(), builder);
        } catch (IOException e) {
            throw new EtcdWireException("INTERNAL", "not " + responseType.getDescriptorForType().getName() + " JSON: "
                    + response.body());
        }
        return (R) builder.build();
    }

    /** The gateway's error object: {@code {"error": ..., "code": <gRPC code number>, "message": ...}}. */
    static EtcdWireException error(String json) {
        Struct.Builder error = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, error);
        } catch (IOException e) {
            return new EtcdWireException("UNKNOWN", "not an error object: " + json);
        }
        Map<String, Value> fields = error.getFieldsMap();
        int code = fields.containsKey("code") ? (int) fields.get("code").getNumberValue() : 2;
        String message = fields.containsKey("message") ? fields.get("message").getStringValue() : json;
        return new EtcdWireException(code >= 0 && code < CODES.length ? CODES[code] : "UNKNOWN", message);
    }

    @Override
    public WatchStream watch(WatchRequest create) throws EtcdWireException {
        BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> response;
        try {
            response = client.send(post("/v3/watch", create).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new EtcdWireException("UNAVAILABLE", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdWireException("CANCELLED", "interrupted");
        }
        InputStream body = response.body();
        if (response.statusCode() != 200) {
            try (body) {
                throw error(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new EtcdWireException("UNAVAILABLE", e.toString());
            }
        }
        Thread reader = Thread.ofPlatform().daemon().name("gateway-watch-reader").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Struct.Builder object = Struct.newBuilder();
                    JsonFormat.parser().merge(line, object);
                    Value result = object.getFieldsMap().get("result");
                    if (result == null) {
                        Value error = object.getFieldsMap().get("error");
                        responses.add(error(error == null ? line : JsonFormat.printer().print(error)));
                        return;
                    }
                    WatchResponse.Builder watch = WatchResponse.newBuilder();
                    JsonFormat.parser().ignoringUnknownFields().merge(JsonFormat.printer().print(result), watch);
                    responses.add(watch.build());
                }
                responses.add(END);
            } catch (IOException e) {
                responses.add(new EtcdWireException("UNAVAILABLE", e.toString()));
            }
        });
        return new WatchStream() {
            @Override
            public WatchResponse poll(Duration timeout) throws EtcdWireException {
                Object next;
                try {
                    next = responses.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EtcdWireException("CANCELLED", "interrupted");
                }
                if (next == null || next instanceof WatchResponse) {
                    return (WatchResponse) next;
                }
                if (next == END) {
                    throw new EtcdWireException("END", "the watch stream ended");
                }
                throw (EtcdWireException) next;
            }

            /** The gateway reads a watch's requests from the one request body, already sent. */
            @Override
            public boolean send(WatchRequest request) {
                return false;
            }

            @Override
            public void close() {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is all that is asked
                }
                reader.interrupt();
            }
        };
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
