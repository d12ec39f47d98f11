package io.cairn.transport.http;

import io.cairn.spi.transport.ServerStats;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * etcd's {@code GET /v2/stats/self} and {@code GET /v2/stats/leader}, in etcd's JSON shape, from the member's
 * {@link ServerStats}. What differs from etcd (V2.md): the package and bandwidth rates, which etcd leaves out
 * when zero, are left out always; a member that does not lead says {@code StateFollower} (also while it is
 * a candidate); a follower's latency is the round trip of a sampled append request, from its send to the
 * follower's answer (etcd times the HTTP post of its message pipeline).
 */
final class V2MemberStats {

    private final Supplier<Optional<ServerStats>> stats;

    V2MemberStats(Supplier<Optional<ServerStats>> stats) {
        this.stats = stats;
    }

    void handleSelf(HttpServerExchange exchange) {
        ServerStats figures = figures(exchange);
        if (figures != null) {
            Responses.json(exchange, 200, self(figures, Instant.now()).toString());
        }
    }

    void handleLeader(HttpServerExchange exchange) {
        ServerStats figures = figures(exchange);
        if (figures == null) {
            return;
        }
        if (figures.leaderId() != figures.memberId()) {
            message(exchange, 403, "not current leader"); // etcd's answer on a member that does not lead
            return;
        }
        Responses.json(exchange, 200, leader(figures).toString());
    }

    /** The member's figures, or null after answering: the method is not GET, or no member backs this endpoint. */
    private ServerStats figures(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
            Responses.text(exchange, 405, "Method Not Allowed");
            return null;
        }
        Optional<ServerStats> figures = stats.get();
        if (figures.isEmpty()) {
            message(exchange, 503, "member statistics are not available on this endpoint");
            return null;
        }
        return figures.get();
    }

    /** etcd's {@code httptypes.HTTPError} JSON. */
    private static void message(HttpServerExchange exchange, int status, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("message", message);
        Responses.json(exchange, status, body.toString());
    }

    /** etcd's {@code stats.ServerStats} JSON, in its field order. */
    static ObjectNode self(ServerStats figures, Instant now) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("name", figures.memberName());
        body.put("id", Long.toHexString(figures.memberId()));
        body.put("state", figures.leaderId() == figures.memberId() ? "StateLeader" : "StateFollower");
        body.put("startTime", figures.startTime().toString());
        ObjectNode leaderInfo = body.putObject("leaderInfo");
        leaderInfo.put("leader", figures.leaderId() == 0 ? "" : Long.toHexString(figures.leaderId()));
        Instant since = figures.leaderSince().orElse(null);
        leaderInfo.put("uptime", since == null ? "0s" : goDuration(Duration.between(since, now)));
        leaderInfo.put("startTime", since == null ? "0001-01-01T00:00:00Z" : since.toString());
        body.put("recvAppendRequestCnt", figures.appendsReceived());
        body.put("sendAppendRequestCnt", figures.appendsSent());
        return body;
    }

    /** etcd's {@code stats.LeaderStats} JSON: followers by hex id, latencies in milliseconds. */
    static ObjectNode leader(ServerStats figures) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("leader", Long.toHexString(figures.memberId()));
        ObjectNode followers = body.putObject("followers");
        Map<String, ServerStats.FollowerStats> sorted = new TreeMap<>();
        figures.followers().forEach((id, follower) -> sorted.put(Long.toHexString(id), follower));
        sorted.forEach((id, follower) -> {
            ObjectNode json = followers.putObject(id);
            ObjectNode latency = json.putObject("latency");
            latency.put("current", follower.currentMillis());
            latency.put("average", follower.averageMillis());
            latency.put("standardDeviation", follower.standardDeviationMillis());
            latency.put("minimum", follower.minimumMillis());
            latency.put("maximum", follower.maximumMillis());
            ObjectNode counts = json.putObject("counts");
            counts.put("fail", follower.failures());
            counts.put("success", follower.successes());
        });
        return body;
    }

    /** A duration as Go's {@code time.Duration.String()} writes it: {@code 1h2m3.5s}, {@code 1.5ms}, {@code 0s}. */
    static String goDuration(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long abs = Math.abs(nanos);
        if (abs < 1_000L) {
            return sign + abs + "ns";
        }
        if (abs < 1_000_000L) {
            return sign + decimal(abs, 1_000L) + "µs";
        }
        if (abs < 1_000_000_000L) {
            return sign + decimal(abs, 1_000_000L) + "ms";
        }
        long hours = abs / 3_600_000_000_000L;
        long minutes = abs / 60_000_000_000L % 60;
        long secondNanos = abs % 60_000_000_000L;
        StringBuilder text = new StringBuilder(sign);
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        return text.append(decimal(secondNanos, 1_000_000_000L)).append('s').toString();
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }
}
