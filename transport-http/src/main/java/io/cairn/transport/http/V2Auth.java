package io.cairn.transport.http;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.spi.transport.ClientIdentities;
import io.cairn.spi.transport.Credentials;
import io.cairn.spi.transport.KeyAccess;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Who a v2 keys request acts as and whether it may, against the v3 auth store: the v2 path is the
 * key the user's roles must grant (etcd 2.3 checked its own v2 roles the same way, on the path). The
 * v2 tree itself lives in reserved keys that no v3 permission names, so {@link V2Store} runs on the
 * server's unchecked view and every request is checked here first.
 *
 * <p>Credentials: {@code Authorization: Basic base64(user:password)} (etcd's v2 clients, {@code etcdctl
 * --username}), or a v3 token as the whole {@code Authorization} value (as the v3 gateway takes it).
 * A refusal is etcd's error 110, HTTP 401, cause "Insufficient credentials".
 */
final class V2Auth {

    /** The refusals that are the caller's credentials or permissions, not the server's trouble. */
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.USER_EMPTY, ErrorCode.AUTH_FAILED,
            ErrorCode.INVALID_AUTH_TOKEN, ErrorCode.AUTH_OLD_REVISION, ErrorCode.PERMISSION_DENIED,
            ErrorCode.USER_NOT_FOUND);

    private final ClientIdentities identities;

    V2Auth(ClientIdentities identities) {
        this.identities = identities;
    }

    /** The caller's access, after the server caught up with the auth store; refuses bad credentials (110). */
    KeyAccess access(HttpServerExchange exchange) {
        return V2Store.await(identities.keyAccess(credentials(exchange)).exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            return java.util.concurrent.CompletableFuture.failedFuture(
                    cause instanceof CairnException refused ? refusal(refused) : cause);
        }));
    }

    /** The credentials in {@code Authorization}: Basic user and password, else a v3 token. */
    static Credentials credentials(HttpServerExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (authorization == null || authorization.isEmpty()) {
            return Credentials.none();
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Credentials.Token(authorization);
        }
        String userAndPassword;
        try {
            userAndPassword = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return Credentials.none(); // Go's BasicAuth says "not ok": nobody, refused while auth is on
        }
        int colon = userAndPassword.indexOf(':');
        return colon < 0 ? Credentials.none()
                : new Credentials.Password(userAndPassword.substring(0, colon), userAndPassword.substring(colon + 1));
    }

    /**
     * Checks what a request will touch before it runs: the node itself (not the root, which is never
     * stored); with {@code recursive} on a read, watch or delete, every key below it too; for a POST,
     * every key below the directory (the new key's name is not known before). Reads need read
     * permission, PUT/POST/DELETE write permission.
     */
    static void checkRequest(KeyAccess access, String path, boolean write, boolean recursive, boolean post) {
        try {
            if (post) {
                check(access, below(path), write);
                return;
            }
            if (!path.equals("/")) {
                access.check(key(path), Bytes.EMPTY, write);
            }
            if (recursive) {
                check(access, below(path), write);
            }
        } catch (CairnException refused) {
            throw refusal(refused);
        }
    }

    /**
     * Checks the children a non-recursive listing shows: reading their values needs read
     * permission on each, as a v3 range over them would.
     */
    static void checkListing(KeyAccess access, JsonNode node) {
        JsonNode children = node == null ? null : node.get("nodes");
        if (children == null) {
            return;
        }
        try {
            for (JsonNode child : children) {
                access.check(key(child.get("key").asText()), Bytes.EMPTY, false);
            }
        } catch (CairnException refused) {
            throw refusal(refused);
        }
    }

    private static void check(KeyAccess access, Bytes prefix, boolean write) {
        access.check(prefix, prefix.prefixEnd(), write);
    }

    /** The prefix of every key below {@code path}: {@code path + "/"} ({@code "/"} for the root). */
    private static Bytes below(String path) {
        return key(path.equals("/") ? "/" : path + "/");
    }

    private static Bytes key(String path) {
        return Bytes.fromUtf8(path);
    }

    private static RuntimeException refusal(CairnException refused) {
        if (refused.errorCode().filter(REFUSALS::contains).isPresent()) {
            return new V2Error(V2Error.UNAUTHORIZED, "Insufficient credentials", 0);
        }
        return new V2Error(V2Error.RAFT_INTERNAL, refused.getMessage(), 0);
    }
}
