/**
 * The {@code grpc} transport: etcd's v3 gRPC services serving an {@link io.cairn.api.Cairn}, started by
 * {@link io.cairn.transport.grpc.GrpcTransportProvider}; the messages and service stubs are generated
 * from the {@code .proto} files in {@code src/main/proto}, under {@code io.cairn.transport.grpc.proto.*}.
 */
package io.cairn.transport.grpc;
