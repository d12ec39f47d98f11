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
 * (and an election's observe) is one POST whose body is the request and whose response streams
 * {@code {"result":...}} lines. An auth token travels in the {@code Authorization} header, as etcd's
 * gateway takes it.
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
            Map.entry("etcdserverpb.Cluster/MemberAdd", "/v3/cluster/member/add"),
            Map.entry("etcdserverpb.Cluster/MemberRemove", "/v3/cluster/member/remove"),
            Map.entry("etcdserverpb.Cluster/MemberUpdate", "/v3/cluster/member/update"),
            Map.entry("etcdserverpb.Cluster/MemberPromote", "/v3/cluster/member/promote"),
            Map.entry("etcdserverpb.Maintenance/Status", "/v3/maintenance/status"),
            Map.entry("etcdserverpb.Auth/AuthEnable", "/v3/auth/enable"),
            Map.entry("etcdserverpb.Auth/AuthDisable", "/v3/auth/disable"),
            Map.entry("etcdserverpb.Auth/AuthStatus", "/v3/auth/status"),
            Map.entry("etcdserverpb.Auth/Authenticate", "/v3/auth/authenticate"),
            Map.entry("etcdserverpb.Auth/UserAdd", "/v3/auth/user/add"),
            Map.entry("etcdserverpb.Auth/UserGet", "/v3/auth/user/get"),
            Map.entry("etcdserverpb.Auth/UserList", "/v3/auth/user/list"),
            Map.entry("etcdserverpb.Auth/UserDelete", "/v3/auth/user/delete"),
            Map.entry("etcdserverpb.Auth/UserChangePassword", "/v3/auth/user/changepw"),
            Map.entry("etcdserverpb.Auth/UserGrantRole", "/v3/auth/user/grant"),
            Map.entry("etcdserverpb.Auth/UserRevokeRole", "/v3/auth/user/revoke"),
            Map.entry("etcdserverpb.Auth/RoleAdd", "/v3/auth/role/add"),
            Map.entry("etcdserverpb.Auth/RoleGet", "/v3/auth/role/get"),
            Map.entry("etcdserverpb.Auth/RoleList", "/v3/auth/role/list"),
            Map.entry("etcdserverpb.Auth/RoleDelete", "/v3/auth/role/delete"),
            Map.entry("etcdserverpb.Auth/RoleGrantPermission", "/v3/auth/role/grant"),
            Map.entry("etcdserverpb.Auth/RoleRevokePermission", "/v3/auth/role/revoke"),
            Map.entry("v3lockpb.Lock/Lock", "/v3/lock/lock"),
            Map.entry("v3lockpb.Lock/Unlock", "/v3/lock/unlock"),
            Map.entry("v3electionpb.Election/Campaign", "/v3/election/campaign"),
            Map.entry("v3electionpb.Election/Proclaim", "/v3/election/proclaim"),
            Map.entry("v3electionpb.Election/Leader", "/v3/election/leader"),
            Map.entry("v3electionpb.Election/Observe", "/v3/election/observe"),
            Map.entry("v3electionpb.Election/Resign", "/v3/election/resign"));
    /** gRPC's status codes by number, as the gateway's "code" field carries them. */
    private static final String[] CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    private static final Object END = new Object();

    private final URI base;
    private final HttpClient client;
    /** The auth token every request carries, or null; a wire with a token closes nothing. */
    private final String token;

    private HttpGatewayWire(URI base, HttpClient client, String token) {
        this.base = base;
        this.client = client;
        this.token = token;
    }

    HttpGatewayWire(URI base, HttpClient client) {
        this(base, client, null);
    }

    HttpGatewayWire(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    @Override
    public EtcdWire withToken(String token) {
        return new HttpGatewayWire(base, client, java.util.Objects.requireNonNull(token, "token"));
    }

    private HttpRequest.Builder post(String path, Message body) throws EtcdWireException {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(JsonFormat.printer().print(body)));
        } catch (IOException e) {
            throw new EtcdWireException("INTERNAL", "cannot print " + body + ": " + e);
        }
        return token == null ? request : request.header("Authorization", token);
    }

    private static String path(String method) {
        String path = PATHS.get(method);
        if (path == null) {
            throw new IllegalArgumentException("no gateway path for " + method);
        }
        return path;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R extends Message> R call(String method, Message request, R responseType) throws EtcdWireException {
        String path = path(method);
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

    /** The responses of a streaming route: its {@code {"result":...}} lines in a queue, then END or the error. */
    private final class Lines<R extends Message> {
        private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        private final InputStream body;
        private final Thread reader;

        Lines(String path, Message request, R responseType) throws EtcdWireException {
            HttpResponse<InputStream> response;
            try {
                response = client.send(post(path, request).build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new EtcdWireException("UNAVAILABLE", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EtcdWireException("CANCELLED", "interrupted");
            }
            body = response.body();
            if (response.statusCode() != 200) {
                try (body) {
                    throw error(new String(body.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new EtcdWireException("UNAVAILABLE", e.toString());
                }
            }
            reader = Thread.ofPlatform().daemon().name("gateway-stream-reader").start(() -> read(responseType));
        }

        private void read(R responseType) {
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
                    Message.Builder parsed = responseType.newBuilderForType();
                    JsonFormat.parser().ignoringUnknownFields().merge(JsonFormat.printer().print(result), parsed);
                    responses.add(parsed.build());
                }
                responses.add(END);
            } catch (IOException e) {
                responses.add(new EtcdWireException("UNAVAILABLE", e.toString()));
            }
        }

        @SuppressWarnings("unchecked")
        R poll(Duration timeout) throws EtcdWireException {
            Object next;
            try {
                next = responses.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EtcdWireException("CANCELLED", "interrupted");
            }
            if (next == END) {
                throw new EtcdWireException("END", "the stream ended");
            }
            if (next instanceof EtcdWireException error) {
                throw error;
            }
            return (R) next;
        }

        void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing is all that is asked
            }
            reader.interrupt();
        }
    }

    @Override
    public <R extends Message> ResponseStream<R> stream(String method, Message request, R responseType) throws EtcdWireException {
        Lines<R> lines = new Lines<>(path(method), request, responseType);
        return new ResponseStream<R>() {
            @Override
            public R poll(Duration timeout) throws EtcdWireException {
                return lines.poll(timeout);
            }

            @Override
            public void close() {
                lines.close();
            }
        };
    }

    @Override
    public WatchStream watch(WatchRequest create) throws EtcdWireException {
        Lines<WatchResponse> lines = new Lines<>("/v3/watch", create, WatchResponse.getDefaultInstance());
        return new WatchStream() {
            @Override
            public WatchResponse poll(Duration timeout) throws EtcdWireException {
                return lines.poll(timeout);
            }

            /** The gateway reads a watch's requests from the one request body, already sent. */
            @Override
            public boolean send(WatchRequest request) {
                return false;
            }

            @Override
            public void close() {
                lines.close();
            }
        };
    }

    @Override
    public void close() {
        if (token != null) {
            return;
        }
        client.shutdownNow();
    }
}
