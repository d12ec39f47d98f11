package io.cairn.transport.grpc;

import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.auth.Auth;
import io.cairn.api.cluster.Cluster;
import io.cairn.api.election.Election;
import io.cairn.api.kv.KV;
import io.cairn.api.lease.Lease;
import io.cairn.api.lock.Lock;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.watch.Watch;
import io.cairn.spi.transport.ClientIdentities;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * Who each call acts as, as etcd's {@code AuthInfoFromCtx}: the {@code token} metadata (or
 * {@code authorization}, which etcd's gateway sets), else, with {@code --client-cert-auth}, the
 * common name of the verified client certificate, else nobody. The interceptor resolves the view
 * once per call and keeps it in the call's {@link Context}; the services call {@link #cairn()},
 * which reads it, so every service serves the caller's view without knowing about auth. A token
 * the server refuses ends the call with etcd's "invalid auth token" before any service runs.
 */
final class CallerIdentity implements ServerInterceptor {

    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Cairn> VIEW = Context.key("cairn-caller-view");
    /**
     * Calls etcd serves without reading the caller (no {@code AuthInfoFromCtx}): a stale token
     * must not stop them, above all Authenticate, which clients call to replace that token.
     */
    static final java.util.Set<String> UNCHECKED = java.util.Set.of("etcdserverpb.Auth/Authenticate",
            "etcdserverpb.Auth/AuthStatus", "etcdserverpb.Maintenance/Status", "etcdserverpb.Cluster/MemberList");

    private final ClientIdentities identities;
    private final boolean certificateNames;

    CallerIdentity(ClientIdentities identities, boolean certificateNames) {
        this.identities = Objects.requireNonNull(identities, "identities");
        this.certificateNames = certificateNames;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Cairn view;
        try {
            view = resolve(call, headers);
        } catch (CairnException refused) {
            if (UNCHECKED.contains(call.getMethodDescriptor().getFullMethodName())) {
                view = identities.anonymous();
            } else {
                call.close(GrpcErrors.toStatus(refused).getStatus(), new Metadata());
                return new ServerCall.Listener<>() { };
            }
        }
        return Contexts.interceptCall(Context.current().withValue(VIEW, view), call, headers, next);
    }

    private Cairn resolve(ServerCall<?, ?> call, Metadata headers) {
        String token = headers.get(TOKEN);
        if (token == null) {
            token = headers.get(AUTHORIZATION);
        }
        if (token != null) {
            return identities.forToken(token);
        }
        if (certificateNames) {
            String commonName = commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            if (commonName != null) {
                return identities.forCertificateCommonName(commonName);
            }
        }
        return identities.anonymous();
    }

    /** The CN of the client's (verified) leaf certificate, or null. */
    static String commonName(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return null;
            }
            return commonName(leaf.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }

    /** The first CN attribute of an RFC 2253 name ({@code CN=alice,O=example}), unescaped; null without one. */
    static String commonName(String rfc2253) {
        int i = 0;
        while (i < rfc2253.length()) {
            int end = i;
            StringBuilder value = new StringBuilder();
            boolean inValue = false;
            String type = null;
            while (end < rfc2253.length()) {
                char c = rfc2253.charAt(end);
                if (c == '\\' && end + 1 < rfc2253.length()) {
                    if (inValue) {
                        value.append(rfc2253.charAt(end + 1));
                    }
                    end += 2;
                    continue;
                }
                if (c == ',' || c == '+') {
                    break;
                }
                if (c == '=' && !inValue) {
                    type = rfc2253.substring(i, end).trim();
                    inValue = true;
                } else if (inValue) {
                    value.append(c);
                }
                end++;
            }
            if ("CN".equalsIgnoreCase(type)) {
                return value.toString();
            }
            i = end + 1;
        }
        return null;
    }

    /** The {@link Cairn} whose every service is the current call's view (the anonymous one outside a call). */
    Cairn cairn() {
        return new Cairn() {
            private Cairn current() {
                Cairn view = VIEW.get();
                return view != null ? view : identities.anonymous();
            }

            @Override public KV kv() { return current().kv(); }
            @Override public Watch watch() { return current().watch(); }
            @Override public Lease lease() { return current().lease(); }
            @Override public Cluster cluster() { return current().cluster(); }
            @Override public Maintenance maintenance() { return current().maintenance(); }
            @Override public Lock lock() { return current().lock(); }
            @Override public Election election() { return current().election(); }
            @Override public Auth auth() { return current().auth(); }

            @Override
            public void close() {
                // the server owns the views
            }
        };
    }
}
