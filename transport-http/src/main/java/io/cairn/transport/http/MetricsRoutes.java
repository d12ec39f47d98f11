package io.cairn.transport.http;

import io.cairn.spi.transport.ClientIdentities;
import io.undertow.server.HttpServerExchange;

/**
 * The routes of etcd's {@code --listen-metrics-urls}: {@code /metrics} and {@code /health} (with
 * {@code /livez} and {@code /readyz} answering as {@code /health}, as on the client URLs), nothing else,
 * so that a monitoring port can be opened where the client API must not be.
 */
final class MetricsRoutes implements HttpClientEndpoint.Routes {

    private final HttpMetrics metrics;
    private final Status status;

    MetricsRoutes(ClientIdentities identities) {
        this.metrics = new HttpMetrics(identities.unchecked(), identities::serverStats);
        this.status = new Status(identities.anonymous(), identities.unchecked(), metrics);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        switch (exchange.getRequestPath()) {
            case "/health", "/livez", "/readyz" -> {
                metrics.time(exchange, "/health");
                status.health(exchange);
            }
            case "/metrics" -> {
                metrics.time(exchange, "/metrics");
                status.metrics(exchange);
            }
            default -> {
                metrics.time(exchange, "unknown");
                Responses.text(exchange, 404, "404 page not found");
            }
        }
    }

    /** No streams are served here. */
    @Override
    public void closeStreams() {}

    @Override
    public void close() {
        metrics.close();
    }
}
