package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.api.cluster.Member;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.spi.transport.KeyAccess;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * etcd 2.3's {@code /v2/keys} HTTP API (and {@code /v2/members}, which etcd's v2 clients read to
 * find the cluster's endpoints): parses a request as etcd's {@code parseKeyRequest} does (form body
 * first, then the query; etcd's errors for bad numbers and booleans), runs it on {@link V2Store} on
 * a thread of {@link V2Admission} (refused with 503 when too many wait), and answers with etcd's event
 * JSON, {@code X-Etcd-Index} and the status etcd uses.
 */
final class V2Keys {

    private static final HttpString X_ETCD_INDEX = new HttpString("X-Etcd-Index");
    private static final HttpString X_RAFT_TERM = new HttpString("X-Raft-Term");

    private final V2Store store;
    private final Cairn cairn;
    private final StreamAdmission streamAdmission;
    private final V2Admission admission;
    private final Supplier<List<URI>> boundUrls;
    private final HttpMetrics metrics;
    private final Set<V2Watch> watches = ConcurrentHashMap.newKeySet();
    private final V2Stats stats;
    private final V2Auth auth;

    /**
     * @param store the v2 tree on the server's unchecked view
     * @param cairn the unchecked view too (member lists, the stats' watch)
     * @param auth checks each request's caller before it runs
     */
    V2Keys(V2Store store, Cairn cairn, V2Auth auth, StreamAdmission streamAdmission, V2Admission admission,
            Supplier<List<URI>> boundUrls, HttpMetrics metrics) {
        this.auth = auth;
        this.admission = admission;
        this.stats = new V2Stats(cairn, watches::size);
        this.store = store;
        this.cairn = cairn;
        this.streamAdmission = streamAdmission;
        this.boundUrls = boundUrls;
        this.metrics = metrics;
    }

    void handleKeys(HttpServerExchange exchange, String rawPath) {
        var method = exchange.getRequestMethod();
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD) && !method.equals(Methods.PUT)
                && !method.equals(Methods.POST) && !method.equals(Methods.DELETE)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD, POST, PUT, DELETE");
            Responses.text(exchange, 405, "Method Not Allowed");
            return;
        }
        String path = V2Store.clean(rawPath);
        Responses.readBody(exchange, (ex, body) -> admission.dispatch(ex, () -> {
            try {
                serve(ex, path, form(ex, body));
            } catch (V2Error error) {
                sendError(ex, error);
            } catch (TooManyRequests full) {
                Responses.json(ex, 503, "{\"message\":\"" + V2Admission.TOO_MANY_REQUESTS + "\"}");
            } catch (RuntimeException unexpected) {
                sendError(ex, new V2Error(V2Error.RAFT_INTERNAL, String.valueOf(unexpected), 0));
            }
        }));
    }

    private void serve(HttpServerExchange exchange, String path, Map<String, String> form) {
        var method = exchange.getRequestMethod();
        boolean recursive = bool(form, "recursive");
        bool(form, "sorted"); // checked as etcd does; listings here are always in key order, which sorted asks for
        boolean wait = bool(form, "wait");
        boolean dir = bool(form, "dir");
        boolean quorum = bool(form, "quorum");
        boolean stream = bool(form, "stream");
        boolean refresh = bool(form, "refresh");
        Boolean prevExist = form.containsKey("prevExist") ? bool(form, "prevExist") : null;
        long prevIndex = number(form, "prevIndex", V2Error.INDEX_NAN);
        long waitIndex = number(form, "waitIndex", V2Error.INDEX_NAN);
        Long ttl = form.getOrDefault("ttl", "").isEmpty() ? null : number(form, "ttl", V2Error.TTL_NAN);
        String value = form.getOrDefault("value", "");
        String prevValue = form.getOrDefault("prevValue", "");
        if (form.containsKey("prevValue") && prevValue.isEmpty()) {
            throw new V2Error(V2Error.PREV_VALUE_REQUIRED, "\"prevValue\" cannot be empty", 0);
        }
        if (wait && !method.equals(Methods.GET)) {
            throw new V2Error(V2Error.INVALID_FIELD, "\"wait\" can only be used with GET requests", 0);
        }
        if (refresh && !value.isEmpty()) {
            throw new V2Error(V2Error.REFRESH_VALUE, "A value was provided on a refresh", 0);
        }
        if (refresh && ttl == null) {
            throw new V2Error(V2Error.REFRESH_TTL_REQUIRED, "No TTL value set", 0);
        }
        // after the form is parsed, as etcd checks access only for requests it could serve
        boolean read = method.equals(Methods.GET) || method.equals(Methods.HEAD);
        KeyAccess access = auth.access(exchange);
        V2Auth.checkRequest(access, path, !read, recursive && (read || method.equals(Methods.DELETE)),
                method.equals(Methods.POST));
        stats.follow(store::currentIndex);
        V2Stats.Operation operation = operation(method, wait, prevExist, prevIndex, prevValue);
        V2Store.Result result;
        try {
            result = run(exchange, path, method, wait, recursive, dir, quorum, stream, refresh, prevExist, prevIndex,
                    waitIndex, ttl, value, prevValue);
        } catch (V2Error error) {
            // etcd's store counts its own failures (1xx), not form, Raft or watch errors
            if (operation != null && error.code() / 100 == 1) {
                if (operation == V2Stats.Operation.GET) {
                    stats.read(false);
                } else {
                    stats.writeFailed(operation);
                }
            }
            throw error;
        }
        if (result == null) {
            return; // a watch, which answered itself
        }
        if (read && !recursive) {
            V2Auth.checkListing(access, result.node());
        }
        if (operation == V2Stats.Operation.GET) {
            stats.read(true);
        }
        send(exchange, result);
    }

    /** The operation etcd's store stats count a request as; null for a watch. */
    private static V2Stats.Operation operation(io.undertow.util.HttpString method, boolean wait, Boolean prevExist,
            long prevIndex, String prevValue) {
        if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
            return wait ? null : V2Stats.Operation.GET;
        }
        boolean compare = prevIndex > 0 || !prevValue.isEmpty();
        if (method.equals(Methods.PUT)) {
            if (Boolean.FALSE.equals(prevExist)) {
                return V2Stats.Operation.CREATE;
            }
            if (compare) {
                return V2Stats.Operation.COMPARE_AND_SWAP;
            }
            return Boolean.TRUE.equals(prevExist) ? V2Stats.Operation.UPDATE : V2Stats.Operation.SET;
        }
        if (method.equals(Methods.POST)) {
            return V2Stats.Operation.CREATE;
        }
        return compare ? V2Stats.Operation.COMPARE_AND_DELETE : V2Stats.Operation.DELETE;
    }

    /** Runs the request on the store; null for a watch, which answers by itself. */
    private V2Store.Result run(HttpServerExchange exchange, String path, io.undertow.util.HttpString method, boolean wait,
            boolean recursive, boolean dir, boolean quorum, boolean stream, boolean refresh, Boolean prevExist,
            long prevIndex, long waitIndex, Long ttl, String value, String prevValue) {
        V2Store.Result result;
        if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
            if (wait) {
                // a long poll is one of the endpoint's open streams: refused as etcd refuses overload past their bound
                if (!streamAdmission.tryReserve()) {
                    throw new TooManyRequests();
                }
                V2Watch watch = new V2Watch(store, exchange, path, recursive, waitIndex, stream, ended -> {
                    watches.remove(ended);
                    metrics.streamClosed();
                });
                watches.add(watch);
                metrics.streamOpened();
                // the wait holds a stream thread, not one of the bounded request threads
                streamAdmission.dispatch(exchange, watch::run);
                return null;
            }
            result = store.get(path, recursive, quorum);
        } else if (method.equals(Methods.PUT)) {
            if (prevExist != null) {
                if (prevExist) {
                    result = prevIndex == 0 && prevValue.isEmpty()
                            ? store.update(path, value, ttl, refresh)
                            : store.compareAndSwap(path, prevValue, prevIndex, value, ttl, refresh);
                } else {
                    result = store.create(path, dir, value, ttl, false);
                }
            } else if (prevIndex > 0 || !prevValue.isEmpty()) {
                result = store.compareAndSwap(path, prevValue, prevIndex, value, ttl, refresh);
            } else {
                result = store.set(path, dir, value, ttl, refresh);
            }
        } else if (method.equals(Methods.POST)) {
            result = store.create(path, dir, value, ttl, true);
        } else if (prevIndex > 0 || !prevValue.isEmpty()) {
            result = store.compareAndDelete(path, prevValue, prevIndex);
        } else {
            result = store.delete(path, dir, recursive);
        }
        return result;
    }

    private static void send(HttpServerExchange exchange, V2Store.Result result) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("action", result.action());
        body.set("node", result.node());
        if (result.prevNode() != null) {
            body.set("prevNode", result.prevNode());
        }
        exchange.getResponseHeaders().put(X_ETCD_INDEX, Long.toString(result.index()));
        if (result.raftTerm() != 0) {
            exchange.getResponseHeaders().put(X_RAFT_TERM, Long.toString(result.raftTerm()));
        }
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.endExchange();
            return;
        }
        Responses.json(exchange, result.created() ? 201 : 200, body.toString() + "\n");
    }

    static void sendError(HttpServerExchange exchange, V2Error error) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(X_ETCD_INDEX, Long.toString(error.index()));
        Responses.json(exchange, error.httpStatus(), error.json());
    }

    // ---- parameters ----

    /** etcd's {@code r.FormValue}: the form body's value first, then the query's; first value of each. */
    private static Map<String, String> form(HttpServerExchange exchange, byte[] body) {
        Map<String, String> form = new HashMap<>();
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (body.length > 0 && (contentType == null || contentType.startsWith("application/x-www-form-urlencoded"))) {
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                try {
                    String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                    String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                    form.putIfAbsent(name, value);
                } catch (IllegalArgumentException malformed) {
                    throw new V2Error(V2Error.INVALID_FORM, "malformed form body: " + malformed.getMessage(), 0);
                }
            }
        }
        for (Map.Entry<String, Deque<String>> query : exchange.getQueryParameters().entrySet()) {
            if (!query.getValue().isEmpty()) {
                form.putIfAbsent(query.getKey(), query.getValue().getFirst());
            }
        }
        return form;
    }

    /** Go's {@code strconv.ParseBool}, as etcd reads its flags; a bad one is error 209. */
    private static boolean bool(Map<String, String> form, String name) {
        String text = form.get(name);
        if (text == null || text.isEmpty()) {
            return false;
        }
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new V2Error(V2Error.INVALID_FIELD, "invalid value for \"" + name + "\"", 0);
        };
    }

    /** An unsigned number; 0 when absent or empty, etcd's {@code code} when not a number. */
    private static long number(Map<String, String> form, String name, int code) {
        String text = form.get(name);
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new NumberFormatException(text);
            }
            return value;
        } catch (NumberFormatException notANumber) {
            throw new V2Error(code, "invalid value for \"" + name + "\"", 0);
        }
    }

    // ---- members ----

    /**
     * {@code GET /v2/members}: etcd's v2 member list. etcd's v2 clients (etcdctl) replace their
     * endpoints with the members' client URLs, so this member lists the URLs of this HTTP endpoint
     * as its own; other members' are the client URLs they advertise.
     */
    void handleMembers(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            Responses.text(exchange, 405, "Method Not Allowed");
            return;
        }
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> cairn.cluster()
                .memberList(MemberListRequest.local())
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        sendError(exchange, new V2Error(V2Error.RAFT_INTERNAL,
                                Gateway.toWireError(failure).message(), 0));
                        return;
                    }
                    ObjectNode body = JsonNodeFactory.instance.objectNode();
                    ArrayNode members = body.putArray("members");
                    for (Member member : answer.members()) {
                        ObjectNode json = members.addObject();
                        json.put("id", Long.toHexString(member.id()));
                        json.put("name", member.name());
                        member.peerUrls().forEach(json.putArray("peerURLs")::add);
                        ArrayNode clientUrls = json.putArray("clientURLs");
                        if (member.id() == answer.header().memberId()) {
                            boundUrls.get().forEach(url -> clientUrls.add(url.toString()));
                        } else {
                            member.clientUrls().forEach(clientUrls::add);
                        }
                    }
                    Responses.json(exchange, 200, body.toString() + "\n");
                }));
    }

    /**
     * {@code GET /v2/machines}: every member's client URLs, sorted, joined by {@code ", "}, as etcd 2.3's
     * machines handler writes them (plain text, no newline). This member's are this endpoint's URLs, as in
     * {@code /v2/members}.
     */
    void handleMachines(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            Responses.text(exchange, 405, "Method Not Allowed");
            return;
        }
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> cairn.cluster()
                .memberList(MemberListRequest.local())
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        sendError(exchange, new V2Error(V2Error.RAFT_INTERNAL,
                                Gateway.toWireError(failure).message(), 0));
                        return;
                    }
                    List<String> urls = new ArrayList<>();
                    for (Member member : answer.members()) {
                        if (member.id() == answer.header().memberId()) {
                            boundUrls.get().forEach(url -> urls.add(url.toString()));
                        } else {
                            urls.addAll(member.clientUrls());
                        }
                    }
                    urls.sort(null);
                    Responses.textAsIs(exchange, 200, String.join(", ", urls));
                }));
    }

    /** {@code GET /v2/stats/store}: etcd 2.3's store statistics (see {@link V2Stats} for what they count here). */
    void handleStoreStats(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
            Responses.text(exchange, 405, "Method Not Allowed");
            return;
        }
        admission.dispatch(exchange, () -> {
            try {
                stats.follow(store::currentIndex);
            } catch (V2Error notNow) {
                // counted from the next v2 request on
            }
            Responses.json(exchange, 200, stats.json());
        });
    }

    /** Refuses a request because the endpoint holds as much as it may. */
    private static final class TooManyRequests extends RuntimeException {
        TooManyRequests() {
            super(V2Admission.TOO_MANY_REQUESTS, null, false, false);
        }
    }

    void closeStreams() {
        stats.close();
        for (V2Watch watch : watches) {
            watch.close();
        }
    }
}
