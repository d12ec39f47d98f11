/**
 * Transport plugin: etcd's v3 gRPC wire protocol (KV, Watch, Lease, Cluster, Maintenance, Auth, Lock,
 * Election) on grpc-java, and the members' Raft traffic over a peer protocol of Cairn's own.
 *
 * @provides io.cairn.spi.transport.TransportProvider the {@code grpc} transport, serving an
 *     {@link io.cairn.api.Cairn} to etcd v3 clients and carrying peer traffic between members
 */
module io.cairn.transport.grpc {
    requires io.cairn.spi.transport;
    // etcd's messages and stubs; it reads grpc, protobuf and guava on through this module.
    requires io.cairn.etcd.protocol;
    // NettyServerBuilder: the only public way to bind given addresses (not just a port on every
    // interface) and to set the per-connection stream limit.
    requires io.grpc.netty.shaded;

    // Nothing is exported: the wire messages live in io.cairn.etcd.protocol, shared with the other
    // modules that speak etcd's protocol; the peer protocol's messages (io.cairn.transport.grpc.peer,
    // generated from src/main/proto/cairn/peer.proto) are this module's own business.

    // The server (and the conformance kit) find this transport by its id, "grpc", among the
    // TransportProviders on the module path; nothing names the class.
    provides io.cairn.spi.transport.TransportProvider with io.cairn.transport.grpc.GrpcTransportProvider;
}
