package io.cairn.transport.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/** Reading request bodies and writing answers without blocking Undertow's I/O threads. */
final class Responses {

    private Responses() {}

    /** A plain-text answer, as Go's {@code http.Error} writes it (text, newline). Ends the exchange. */
    static void text(HttpServerExchange exchange, int status, String text) {
        send(exchange, status, "text/plain; charset=utf-8", text + "\n");
    }

    /** A plain-text answer exactly as given (Go's sniffed type for text, no newline added). Ends the exchange. */
    static void textAsIs(HttpServerExchange exchange, int status, String text) {
        send(exchange, status, "text/plain; charset=utf-8", text);
    }

    /** A JSON answer. Ends the exchange. */
    static void json(HttpServerExchange exchange, int status, String json) {
        send(exchange, status, "application/json", json);
    }

    private static void send(HttpServerExchange exchange, int status, String contentType, String body) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
    }

    /**
     * Reads the whole body, then runs {@code then} with it, with the exchange dispatched so that it
     * stays open until {@code then} (or whatever it starts) ends it. A body larger than Undertow's
     * entity limit, or a read error, ends the exchange with 413 / 400.
     */
    static void readBody(HttpServerExchange exchange, BiConsumer<HttpServerExchange, byte[]> then) {
        exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> ex.dispatch(SameThreadExecutor.INSTANCE, () -> then.accept(ex, body)),
                (ex, failure) -> ex.dispatch(SameThreadExecutor.INSTANCE, () -> readFailed(ex, failure)));
    }

    private static void readFailed(HttpServerExchange exchange, IOException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("UT000020") || message.toLowerCase().contains("too large")) {
            text(exchange, 413, "request body too large");
        } else {
            text(exchange, 400, "cannot read the request body: " + message);
        }
    }
}
