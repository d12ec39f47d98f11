package io.cairn.spi.transport;

import io.cairn.api.Cairn;
import io.cairn.api.Experimental;

/**
 * Who a client call acts as: the server's views of itself for etcd's credentials. A transport reads
 * the credentials each call carries (etcd's {@code token} metadata or {@code Authorization} header,
 * the verified client certificate) and serves the call on the view this returns; calls without
 * credentials use {@link #anonymous()}, which the server refuses while authentication is enabled
 * (etcd's "user name is empty").
 *
 * <p>Ownership: the server owns every view; transports only call them and never close them.
 * Threading: every method is thread-safe, does not block, and may be called on transport threads
 * for every call (the views are cheap).
 */
@Experimental("new with issue 9")
public interface ClientIdentities {

    /** The view for calls without credentials. Never null. */
    Cairn anonymous();

    /**
     * The view acting as the user {@code token} was issued to (a token from
     * {@link io.cairn.api.auth.Auth#authenticate}).
     *
     * @throws io.cairn.api.CairnException with {@link io.cairn.api.ErrorCode#INVALID_AUTH_TOKEN} if
     *     the token is unknown, expired, malformed or was issued before the user's password changed
     * @throws NullPointerException if {@code token} is null
     */
    Cairn forToken(String token);

    /**
     * The view acting as the user named by the common name of a client certificate that the
     * endpoint verified against its trusted CA (etcd's {@code --client-cert-auth}). Transports call
     * this only for verified certificates, and only when the call carries no token.
     *
     * @throws NullPointerException if {@code commonName} is null
     */
    Cairn forCertificateCommonName(String commonName);

    /**
     * The server's own view, which auth never checks: for an API that keeps its data in keys of its
     * own and checks each caller itself through {@link #keyAccess} (the v2 keys API keeps its nodes
     * under a reserved prefix that users' permissions do not name, and checks the v2 path instead).
     * Never serve a v3 call on it. Never null.
     */
    Cairn unchecked();

    /**
     * What the caller with {@code credentials} may do with keys, for an API that serves its calls on
     * {@link #unchecked()}. With auth disabled it completes at once with {@link KeyAccess#UNRESTRICTED},
     * whatever the credentials (etcd ignores them then). With auth enabled it completes once this
     * member has caught up with the leader's auth store (a read barrier), so a change made anywhere
     * before counts; a password is checked off the caller's thread (it is slow on purpose).
     *
     * @return fails with a {@link io.cairn.api.CairnException}: {@link io.cairn.api.ErrorCode#USER_EMPTY}
     *     without credentials, {@link io.cairn.api.ErrorCode#AUTH_FAILED} for an unknown user, a wrong
     *     password or a user without one, {@link io.cairn.api.ErrorCode#INVALID_AUTH_TOKEN} for a token
     *     the server refuses; a certificate name of an unknown user gets access that refuses every key
     * @throws NullPointerException if {@code credentials} is null
     */
    java.util.concurrent.CompletableFuture<KeyAccess> keyAccess(Credentials credentials);

    /**
     * The member's own figures for monitoring endpoints (see {@link ServerStats}), taken now; empty when the
     * view is not backed by a member of this process (the default, as for {@link #unauthenticated}).
     * Cheap: the server keeps the figures as it goes. Thread-safe and non-blocking.
     */
    default java.util.Optional<ServerStats> serverStats() {
        return java.util.Optional.empty();
    }

    /** Identities that serve every call on {@code cairn}, whatever its credentials: no authentication. */
    static ClientIdentities unauthenticated(Cairn cairn) {
        java.util.Objects.requireNonNull(cairn, "cairn");
        return new ClientIdentities() {
            @Override public Cairn anonymous() { return cairn; }
            @Override public Cairn forToken(String token) { java.util.Objects.requireNonNull(token, "token"); return cairn; }
            @Override public Cairn forCertificateCommonName(String commonName) {
                java.util.Objects.requireNonNull(commonName, "commonName");
                return cairn;
            }
            @Override public Cairn unchecked() { return cairn; }
            @Override public java.util.concurrent.CompletableFuture<KeyAccess> keyAccess(Credentials credentials) {
                java.util.Objects.requireNonNull(credentials, "credentials");
                return java.util.concurrent.CompletableFuture.completedFuture(KeyAccess.UNRESTRICTED);
            }
        };
    }
}
