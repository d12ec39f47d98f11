package io.cairn.server.auth;

import java.util.Objects;

/**
 * Who a request acts as, as etcd's {@code AuthInfo}: a user name (empty: nobody) and the auth
 * revision the credentials were checked at. A write carries the revision into the log; it is refused
 * when applied if the auth store has changed since ({@link io.cairn.api.ErrorCode#AUTH_OLD_REVISION}),
 * so a permission revoked meanwhile is honoured on every member.
 */
public record Caller(String user, long revision) {

    /**
     * The revision of credentials checked by this member at each call (simple tokens, certificate
     * names, no credentials): a call checks against the store as it is then, as etcd's
     * {@code AuthInfo} of a simple token takes the store's revision.
     */
    public static final long CURRENT = -1;

    public Caller {
        Objects.requireNonNull(user, "user");
    }
}
