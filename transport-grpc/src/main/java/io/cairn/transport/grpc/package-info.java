/**
 * The {@code grpc} transport: etcd's v3 gRPC services serving an {@link io.cairn.api.Cairn}, started by
 * {@link io.cairn.transport.grpc.GrpcTransportProvider}; the messages and service stubs are generated
 * in the {@code etcd-protocol} module ({@code io.cairn.etcd.protocol}). The peer endpoint
 * ({@code GrpcPeerEndpoint}) speaks Cairn's own protocol, generated into {@code io.cairn.transport.grpc.peer}.
 */
package io.cairn.transport.grpc;
