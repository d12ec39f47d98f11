/**
 * Transport plugin: etcd's v3 gRPC wire protocol (KV, Watch, Lease, Cluster, Maintenance, Auth, Lock,
 * Election) on grpc-java.
 *
 * @provides io.cairn.spi.transport.TransportProvider the {@code grpc} transport, serving an
 *     {@link io.cairn.api.Cairn} to etcd v3 clients
 */
module io.cairn.transport.grpc {
    requires io.cairn.spi.transport;
    // The generated *Grpc classes put StreamObserver, ServerServiceDefinition and protobuf types in
    // their signatures, and the *FutureStub returns guava's ListenableFuture.
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires io.grpc.protobuf;
    requires transitive com.google.protobuf;
    requires com.google.common;
    // NettyServerBuilder: the only public way to bind given addresses (not just a port on every
    // interface) and to set the per-connection stream limit.
    requires io.grpc.netty.shaded;

    // Nothing is exported: the wire classes are this plugin's own business. protobuf-java reads the
    // generated messages reflectively (field accessors for toString, TextFormat, getField), so it alone
    // may reach into them.
    opens io.cairn.transport.grpc.proto.etcdserverpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.mvccpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.authpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.v3lockpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.v3electionpb to com.google.protobuf;

    // The server (and the conformance kit) find this transport by its id, "grpc", among the
    // TransportProviders on the module path; nothing names the class.
    provides io.cairn.spi.transport.TransportProvider with io.cairn.transport.grpc.GrpcTransportProvider;
}
