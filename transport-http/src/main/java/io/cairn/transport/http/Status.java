package io.cairn.transport.http;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.RangeRequest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** etcd's {@code /health}, {@code /version} and {@code /metrics}. */
final class Status {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEALTH_TIMEOUT_SECONDS = 5;

    private final Cairn cairn;
    private final Cairn member;
    private final HttpMetrics metrics;

    /**
     * @param cairn the view the routes act as (nobody: the health check's read is refused while auth
     *     is enabled, which etcd counts as healthy)
     * @param member the member's own view, for its local status (alarms, leader), which etcd reads
     *     without auth
     */
    Status(Cairn cairn, Cairn member, HttpMetrics metrics) {
        this.cairn = cairn;
        this.member = member;
        this.metrics = metrics;
    }

    /**
     * etcd 3.5's {@code /health}, its checks in its order: no alarm raised other than those named by
     * {@code ?exclude=} ({@code ALARM NOSPACE}), a leader known ({@code RAFT NO LEADER}), and a read
     * that succeeds ({@code RANGE ERROR:...}; a read refused by auth counts as success, as in etcd).
     * With {@code ?serializable=true} the member answers from its own state: no leader check, and a
     * serializable read, so a member cut off from its leader stays live. Only GET (else 405). 200 with
     * {@code {"health":"true","reason":""}}, else 503 with {@code "false"} and the reason, as etcd
     * writes it (Go's {@code http.Error}: plain text, a newline).
     */
    void health(HttpServerExchange exchange) {
        if (!Methods.GET.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
            Responses.text(exchange, 405, "Method Not Allowed");
            return;
        }
        Set<String> excluded = new HashSet<>(exchange.getQueryParameters().getOrDefault("exclude", new ArrayDeque<>()));
        excluded.remove("");
        Deque<String> serializableParameter = exchange.getQueryParameters().get("serializable");
        boolean serializable = serializableParameter != null && "true".equals(serializableParameter.peekFirst());
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> member.maintenance().status()
                .thenCompose(status -> {
                    String alarm = raisedAlarm(status.errors(), excluded);
                    if (!alarm.isEmpty()) {
                        return CompletableFuture.completedFuture(alarm);
                    }
                    if (!serializable && status.leader() == 0) {
                        return CompletableFuture.completedFuture("RAFT NO LEADER");
                    }
                    RangeRequest probe = RangeRequest.of(Bytes.fromUtf8("health")).withKeysOnly(true).withLimit(1)
                            .withSerializable(serializable);
                    return cairn.kv().range(probe).handle((range, failure) -> failure == null || refusedByAuth(failure)
                            ? "" : "RANGE ERROR:" + Gateway.toWireError(failure).message());
                })
                .orTimeout(HEALTH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((reason, failure) -> {
                    String why = failure != null ? "RANGE ERROR:" + Gateway.toWireError(failure).message() : reason;
                    ObjectNode body = JSON.createObjectNode();
                    body.put("health", why.isEmpty() ? "true" : "false");
                    body.put("reason", why);
                    if (why.isEmpty()) {
                        Responses.json(exchange, 200, body.toString());
                    } else {
                        Responses.text(exchange, 503, body.toString());
                    }
                }));
    }

    /** etcd's Status errors name each raised alarm as {@code memberID:<id> alarm:<TYPE> }. */
    private static final Pattern ALARM_ERROR = Pattern.compile("alarm:([A-Z_]+)");

    /**
     * The reason for the first raised alarm not in {@code excluded} ({@code ALARM NOSPACE},
     * {@code ALARM CORRUPT}, {@code ALARM UNKNOWN}), or "" for none. Read from the member's Status,
     * which answers locally as etcd's alarm store does (an Alarm GET waits for the leader).
     */
    static String raisedAlarm(List<String> statusErrors, Set<String> excluded) {
        for (String error : statusErrors) {
            Matcher alarm = ALARM_ERROR.matcher(error);
            if (!alarm.find() || excluded.contains(alarm.group(1))) {
                continue;
            }
            return switch (alarm.group(1)) {
                case "NOSPACE" -> "ALARM NOSPACE";
                case "CORRUPT" -> "ALARM CORRUPT";
                default -> "ALARM UNKNOWN";
            };
        }
        return "";
    }

    private static boolean refusedByAuth(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof CairnException refused
                && (refused.is(ErrorCode.USER_EMPTY) || refused.is(ErrorCode.PERMISSION_DENIED));
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
