package io.cairn.client;

import com.google.protobuf.ByteString;
import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.auth.Auth;
import io.cairn.api.cluster.Cluster;
import io.cairn.api.election.Election;
import io.cairn.api.kv.KV;
import io.cairn.api.lease.Lease;
import io.cairn.api.lock.Lock;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.watch.Watch;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A remote {@link Cairn}: the api over etcd's v3 gRPC protocol, to a Cairn cluster or an etcd one.
 * Code written against {@link Cairn} runs unchanged against an embedded server or this.
 *
 * <pre>{@code
 * try (CairnClient cairn = CairnClient.builder()
 *         .endpoints("http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379")
 *         .namespace("app1/")
 *         .build()) {
 *     cairn.kv().put(Bytes.fromUtf8("greeting"), Bytes.fromUtf8("hello")).join();
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Endpoints and failover.</b> Calls go to one endpoint at a time; a call that finds it
 *       unavailable moves the client to the next one (round robin).
 *   <li><b>Retries.</b> Reads (and other requests that change nothing) are sent again after
 *       UNAVAILABLE, with exponential backoff, up to {@link Builder#maxAttempts} attempts. A write is
 *       sent again only if it surely never left (no connection could be made): otherwise it may have
 *       been applied, and its failure is the caller's to judge.
 *   <li><b>Errors.</b> A failure the server reports becomes the {@link io.cairn.api.CairnException}
 *       the embedded server raises for it (same {@link io.cairn.api.ErrorCode}, matched by etcd's
 *       message and status code).
 *   <li><b>Watches</b> survive the loss of a member: they resume on another (or the same, once back)
 *       from the revision after the last event delivered, without losing or repeating an event; see
 *       {@link Watch#openStream()}.
 *   <li><b>Leases</b> are kept alive for the caller by {@link #keepAlive(long)}.
 *   <li><b>Auth.</b> With {@link Builder#user}, the client authenticates and sends etcd's
 *       {@code token} metadata on every call, authenticating again when the token is refused.
 *   <li><b>TLS</b> for {@code https://} endpoints, or whenever a CA or client certificate is given.
 *   <li><b>Namespace.</b> A key prefix applied to every key of the KV and Watch services and taken off
 *       every key received, as etcd's namespace package does.
 * </ul>
 *
 * <p>Thread-safe; nothing blocks but {@link #close()}.
 */
public final class CairnClient implements Cairn {

    private final Connection connection;
    private final StreamRegistry registry = new StreamRegistry();
    private final RemoteKv kv;
    private final RemoteWatch watch;
    private final RemoteLease lease;
    private final RemoteCluster cluster;
    private final RemoteMaintenance maintenance;
    private final RemoteLock lock;
    private final RemoteElection election;
    private final RemoteAuth auth;

    private CairnClient(Connection connection, Namespace namespace) {
        this.connection = connection;
        this.kv = new RemoteKv(connection, namespace);
        this.watch = new RemoteWatch(connection, namespace, registry);
        this.lease = new RemoteLease(connection);
        this.cluster = new RemoteCluster(connection);
        this.maintenance = new RemoteMaintenance(connection);
        this.lock = new RemoteLock(connection);
        this.election = new RemoteElection(connection);
        this.auth = new RemoteAuth(connection);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public KV kv() {
        return kv;
    }

    @Override
    public Watch watch() {
        return watch;
    }

    @Override
    public Lease lease() {
        return lease;
    }

    @Override
    public Cluster cluster() {
        return cluster;
    }

    @Override
    public Maintenance maintenance() {
        return maintenance;
    }

    @Override
    public Lock lock() {
        return lock;
    }

    @Override
    public Election election() {
        return election;
    }

    @Override
    public Auth auth() {
        return auth;
    }

    /** The endpoints, in the order given. */
    public List<URI> endpoints() {
        return connection.endpoints();
    }

    /** The endpoint calls go to now. */
    public URI currentEndpoint() {
        return connection.endpoints().get(connection.currentIndex());
    }

    /**
     * Keeps lease {@code leaseId} alive until the returned handle is closed or the lease is gone:
     * see {@link LeaseKeepAlive}. The first renewal is sent at once.
     *
     * @throws IllegalStateException if the client is closed
     */
    public LeaseKeepAlive keepAlive(long leaseId) {
        if (connection.isClosed()) {
            throw new IllegalStateException("the client is closed");
        }
        LeaseKeepAlive keeper = new LeaseKeepAlive(leaseId, lease, connection.timer());
        Runnable closer = keeper::clientClosed;
        registry.add(closer);
        keeper.done().whenComplete((ignored, failure) -> registry.remove(closer));
        keeper.start();
        return keeper;
    }

    /**
     * Ends every watch stream and kept-alive lease of this client, fails pending calls with
     * {@link io.cairn.api.ErrorCode#CANCELED} and closes the connections. Idempotent; waits up to a
     * few seconds for gRPC's threads to stop.
     */
    @Override
    public void close() {
        registry.closeAll();
        connection.close();
    }

    /** The settings of a {@link CairnClient}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private String user;
        private String password;
        private Bytes namespace = Bytes.EMPTY;
        private Path trustedCa;
        private Path clientCertificate;
        private Path clientKey;
        private int maxAttempts = 10;
        private Duration initialBackoff = Duration.ofMillis(50);
        private Duration maxBackoff = Duration.ofSeconds(1);

        private Builder() {}

        /**
         * The members to connect to: {@code http://host:port} (plain text) or {@code https://host:port}
         * (TLS); a bare {@code host:port} is plain text. Replaces the ones given before.
         *
         * @throws IllegalArgumentException if an endpoint has no host or port, or another scheme
         */
        public Builder endpoints(String... endpoints) {
            List<URI> parsed = new ArrayList<>();
            for (String endpoint : endpoints) {
                Objects.requireNonNull(endpoint, "endpoint");
                parsed.add(URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint));
            }
            return endpoints(parsed);
        }

        /** As {@link #endpoints(String...)}. */
        public Builder endpoints(List<URI> endpoints) {
            List<URI> checked = new ArrayList<>();
            for (URI endpoint : endpoints) {
                String scheme = endpoint.getScheme();
                if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                    throw new IllegalArgumentException("endpoint " + endpoint + ": the scheme must be http or https");
                }
                if (endpoint.getHost() == null || endpoint.getPort() < 0) {
                    throw new IllegalArgumentException("endpoint " + endpoint + ": a host and a port are needed");
                }
                checked.add(endpoint);
            }
            this.endpoints.clear();
            this.endpoints.addAll(checked);
            return this;
        }

        /** Authenticate as {@code user} with {@code password} (etcd's Authenticate). */
        public Builder user(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** The key prefix of this client's key space (empty: none). */
        public Builder namespace(Bytes prefix) {
            this.namespace = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** The key prefix, as UTF-8. */
        public Builder namespace(String prefix) {
            return namespace(Bytes.fromUtf8(Objects.requireNonNull(prefix, "prefix")));
        }

        /** PEM certificates to trust for the servers' certificates, instead of the JDK's trust store. Turns TLS on. */
        public Builder trustedCertificates(Path caPem) {
            this.trustedCa = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /** A client certificate chain and its PKCS#8 key (PEM files), for servers that ask for one. Turns TLS on. */
        public Builder clientCertificate(Path certificatePem, Path privateKeyPem) {
            this.clientCertificate = Objects.requireNonNull(certificatePem, "certificatePem");
            this.clientKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            return this;
        }

        /** Attempts of a retriable call in all, default 10 (with the default backoff, about 5 s of trying); 1 means no retry. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The first backoff between attempts (default 50 ms), doubling up to {@code max} (default 1 s). */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * A client for the endpoints given. Connects lazily: the first call (or watch) opens the connection.
         *
         * @throws IllegalStateException if no endpoint was given
         * @throws IllegalArgumentException if the TLS files cannot be read
         */
        public CairnClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("no endpoint given");
            }
            SslContext ssl = trustedCa != null || clientCertificate != null
                    ? Tls.context(trustedCa, clientCertificate, clientKey) : null;
            Connection connection = new Connection(new Connection.Settings(endpoints, ssl, user, password, maxAttempts,
                    initialBackoff, maxBackoff));
            return new CairnClient(connection, new Namespace(ByteString.copyFrom(namespace.asReadOnlyByteBuffer())));
        }
    }
}
