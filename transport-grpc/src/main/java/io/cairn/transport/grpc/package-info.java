/**
 * The {@code grpc} transport: etcd's v3 gRPC services serving an {@link io.cairn.api.Cairn}, started by
 * {@link io.cairn.transport.grpc.GrpcTransportProvider}; the messages and service stubs are generated
 * in the {@code etcd-protocol} module ({@code io.cairn.etcd.protocol}).
 */
package io.cairn.transport.grpc;
