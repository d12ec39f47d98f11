/**
 * etcd's v3 gRPC protocol for Cairn; the messages and service stubs are generated from the
 * {@code .proto} files in {@code src/main/proto}, under {@code io.cairn.transport.grpc.proto.*}.
 */
package io.cairn.transport.grpc;
