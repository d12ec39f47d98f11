/**
 * Transport plugin: etcd's v3 gRPC wire protocol (KV, Watch, Lease, Cluster, Maintenance, Auth, Lock,
 * Election) on grpc-java.
 */
module io.cairn.transport.grpc {
    // The generated *Grpc classes put StreamObserver, ServerServiceDefinition and protobuf types in
    // their signatures, and the *FutureStub returns guava's ListenableFuture.
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires io.grpc.protobuf;
    requires transitive com.google.protobuf;
    requires com.google.common;

    // Nothing is exported: the wire classes are this plugin's own business. protobuf-java reads the
    // generated messages reflectively (field accessors for toString, TextFormat, getField), so it alone
    // may reach into them.
    opens io.cairn.transport.grpc.proto.etcdserverpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.mvccpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.authpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.v3lockpb to com.google.protobuf;
    opens io.cairn.transport.grpc.proto.v3electionpb to com.google.protobuf;
}
