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
        };
    }
}
