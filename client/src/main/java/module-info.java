/**
 * The remote client: {@link io.cairn.client.CairnClient}, an {@link io.cairn.api.Cairn} that speaks
 * etcd's v3 gRPC protocol to a Cairn cluster or an etcd one, so code written against the api runs
 * embedded or remote unchanged.
 */
module io.cairn.client {
    requires transitive io.cairn.api;
    // etcd's messages, stubs and the mapping to the api records; grpc, protobuf and guava come with it.
    requires io.cairn.etcd.protocol;
    // NettyChannelBuilder and GrpcSslContexts: the channel to each endpoint, with TLS when asked.
    requires io.grpc.netty.shaded;

    exports io.cairn.client;
}
