/**
 * etcd's v3 wire protocol, once for every module that speaks it: the messages and gRPC stubs
 * generated from the {@code .proto} files in {@code src/main/proto} (etcd's package, service, message
 * and field names and numbers), and {@link io.cairn.etcd.protocol.KvMapping} /
 * {@link io.cairn.etcd.protocol.ServiceMapping} between those messages and the {@code io.cairn.api}
 * records (a server's directions: requests in, responses out), and
 * {@link io.cairn.etcd.protocol.ClientMapping} (a client's: requests out, responses in). The gRPC and HTTP transports, the client and the load generator read it; it is a library,
 * not a plugin.
 */
module io.cairn.etcd.protocol {
    requires transitive io.cairn.api;
    // The generated *Grpc classes put StreamObserver, ServerServiceDefinition and protobuf types in
    // their signatures, and the *FutureStub returns guava's ListenableFuture.
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires transitive io.grpc.protobuf;
    requires transitive com.google.protobuf;
    requires transitive com.google.common;

    exports io.cairn.etcd.protocol;
    exports io.cairn.etcd.protocol.etcdserverpb;
    exports io.cairn.etcd.protocol.mvccpb;
    exports io.cairn.etcd.protocol.authpb;
    exports io.cairn.etcd.protocol.v3lockpb;
    exports io.cairn.etcd.protocol.v3electionpb;
}
