package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends each request to its API by path, and times it for {@code /metrics} under the name of its
 * route (never the raw path, so v2 key paths do not become metric labels).
 */
final class Router implements HttpClientEndpoint.Routes {

    private final Gateway gateway;
    private final V2Keys v2;
    private final Status status;
    private final V2MemberStats memberStats;
    private final HttpMetrics metrics;

    Router(io.cairn.spi.transport.ClientIdentities identities, int maxRequestBytes, StreamAdmission streams,
            V2Admission v2Admission, Supplier<List<URI>> boundUrls) {
        // metrics are the server looking at itself: auth does not refuse them, and they read nothing a
        // caller chose
        Cairn unchecked = identities.unchecked();
        this.metrics = new HttpMetrics(unchecked, identities::serverStats);
        this.gateway = new Gateway(identities, maxRequestBytes, streams, metrics);
        // the v2 tree lives in reserved keys no v3 permission names: V2Auth checks the v2 path first
        this.v2 = new V2Keys(new V2Store(unchecked), unchecked, new V2Auth(identities), streams, v2Admission,
                boundUrls, metrics);
        // /health reads as nobody (a refusal by auth counts as healthy, as in etcd 3.5) and takes alarms and
        // leader from the member itself
        this.status = new Status(identities.anonymous(), unchecked, metrics);
        this.memberStats = new V2MemberStats(identities::serverStats);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        if (path.startsWith("/v3/")) {
            String route = Gateway.route(path);
            metrics.time(exchange, route == null ? "/v3/unknown" : route);
            if (route == null) {
                Responses.text(exchange, 404, "Not Found");
            } else if (!Methods.POST.equals(exchange.getRequestMethod())) {
                Responses.text(exchange, 405, "Method Not Allowed");
            } else {
                gateway.handle(exchange, route);
            }
            return;
        }
        if (path.equals("/v2/keys") || path.startsWith("/v2/keys/")) {
            metrics.time(exchange, "/v2/keys");
            v2.handleKeys(exchange, path.substring("/v2/keys".length()));
            return;
        }
        Runnable handler = switch (path) {
            case "/v2/members" -> () -> v2.handleMembers(exchange);
            case "/v2/machines" -> () -> v2.handleMachines(exchange);
            case "/v2/stats/store" -> () -> v2.handleStoreStats(exchange);
            case "/v2/stats/self" -> () -> memberStats.handleSelf(exchange);
            case "/v2/stats/leader" -> () -> memberStats.handleLeader(exchange);
            case "/health", "/livez", "/readyz" -> () -> status.health(exchange);
            case "/version" -> () -> status.version(exchange);
            case "/metrics" -> () -> status.metrics(exchange);
            default -> null;
        };
        if (handler == null) {
            metrics.time(exchange, "unknown");
            Responses.text(exchange, 404, "404 page not found");
            return;
        }
        metrics.time(exchange, ROUTE_NAMES.getOrDefault(path, path));
        handler.run();
    }

    private static final Map<String, String> ROUTE_NAMES = Map.of("/livez", "/health", "/readyz", "/health");

    /** Ends every open watch stream and long poll: their responses finish cleanly. */
    @Override
    public void closeStreams() {
        gateway.closeStreams();
        v2.closeStreams();
    }

    @Override
    public void close() {
        metrics.close();
    }
}
