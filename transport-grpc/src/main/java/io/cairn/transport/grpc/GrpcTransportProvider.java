package io.cairn.transport.grpc;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TransportProvider;

import java.util.Objects;

/**
 * The {@code grpc} transport: etcd's v3 gRPC protocol (KV, Watch, Lease, Cluster, Maintenance, Auth,
 * Lock, Election) on grpc-java with its shaded Netty, so etcdctl, jetcd and every other etcd v3 client
 * work unchanged; and the members' Raft traffic over a protocol of Cairn's own. Found through ServiceLoader; not meant to be named in code.
 */
public final class GrpcTransportProvider implements TransportProvider {

    /** The id this transport is selected by. */
    public static final String ID = "grpc";

    /** Public for ServiceLoader. */
    public GrpcTransportProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "grpc: etcd v3 gRPC protocol on grpc-java " + grpcVersion() + " (Netty, shaded)";
    }

    @Override
    public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
        Objects.requireNonNull(cairn, "cairn");
        Objects.requireNonNull(config, "config");
        return GrpcClientEndpoint.start(cairn, config);
    }

    /** Each call acts as the user its {@code token} metadata or client certificate names (etcd's auth). */
    @Override
    public ClientEndpoint startClientEndpoint(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        Objects.requireNonNull(identities, "identities");
        Objects.requireNonNull(config, "config");
        return GrpcClientEndpoint.start(identities, config);
    }

    /** Raft frames and snapshots between members, over Cairn's own peer protocol ({@code cairn/peer.proto}). */
    @Override
    public boolean carriesPeerTraffic() {
        return true;
    }

    @Override
    public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        return GrpcPeerEndpoint.start(config, handler);
    }

    private static String grpcVersion() {
        String version = io.grpc.Server.class.getPackage().getImplementationVersion();
        return version == null ? "(version unknown)" : version;
    }
}
