package io.cairn.transport.http;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.maintenance.AlarmRequest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** etcd's {@code /health}, {@code /version} and {@code /metrics}. */
final class Status {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEALTH_TIMEOUT_SECONDS = 5;

    private final Cairn cairn;
    private final HttpMetrics metrics;

    Status(Cairn cairn, HttpMetrics metrics) {
        this.cairn = cairn;
        this.metrics = metrics;
    }

    /**
     * etcd 3.5's checks, in its order: no alarm raised ({@code ALARM <type>}), a leader known
     * ({@code RAFT NO LEADER}), and a linearizable read that succeeds ({@code QGET ERROR: ...}).
     * 200 with {@code {"health":"true","reason":""}}, else 503 with {@code "false"} and the reason.
     */
    void health(HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> alarms()
                .thenCompose(alarm -> {
                    if (!alarm.isEmpty()) {
                        return CompletableFuture.completedFuture("ALARM " + alarm);
                    }
                    return cairn.maintenance().status().thenCompose(status -> status.leader() == 0
                            ? CompletableFuture.completedFuture("RAFT NO LEADER")
                            : cairn.kv().range(RangeRequest.of(Bytes.fromUtf8("health")))
                                    .handle((range, failure) -> failure == null ? ""
                                            : "QGET ERROR: " + Gateway.toWireError(failure).message()));
                })
                .orTimeout(HEALTH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((reason, failure) -> {
                    String why = failure != null ? "QGET ERROR: " + Gateway.toWireError(failure).message() : reason;
                    ObjectNode body = JSON.createObjectNode();
                    body.put("health", why.isEmpty() ? "true" : "false");
                    body.put("reason", why);
                    Responses.json(exchange, why.isEmpty() ? 200 : 503, body.toString());
                }));
    }

    /**
     * The first alarm raised, or "" for none. A member whose api has no alarms (UNIMPLEMENTED)
     * cannot have one raised.
     */
    private CompletableFuture<String> alarms() {
        CompletableFuture<String> first;
        try {
            first = cairn.maintenance().alarm(AlarmRequest.get())
                    .thenApply(answer -> answer.alarms().isEmpty() ? "" : answer.alarms().get(0).alarm().name());
        } catch (RuntimeException unsupported) {
            first = CompletableFuture.failedFuture(unsupported);
        }
        return first.exceptionallyCompose(failure -> Gateway.toWireError(failure).code() == StatusCode.UNIMPLEMENTED
                ? CompletableFuture.completedFuture("")
                : CompletableFuture.failedFuture(failure));
    }

    /**
     * etcd's {@code {"etcdserver":..., "etcdcluster":...}}: the version the member reports in
     * {@code Maintenance.Status}, and the cluster version (its major.minor.0), as etcd gives them.
     */
    void version(HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> cairn.maintenance().status().whenComplete((status, failure) -> {
            if (failure != null) {
                Gateway.sendError(exchange, failure);
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("etcdserver", status.version());
            body.put("etcdcluster", clusterVersion(status.version()));
            Responses.json(exchange, 200, body.toString());
        }));
    }

    static String clusterVersion(String serverVersion) {
        String[] parts = serverVersion.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] + ".0" : serverVersion;
    }

    void metrics(HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> metrics.scrape().whenComplete((text, failure) -> {
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(text == null ? "" : text, StandardCharsets.UTF_8);
        }));
    }
}
