package io.cairn.conformance;

import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.net.URI;

/** The gRPC transport (etcd's v3 gRPC protocol, gRPC peers) against the transport kit. */
class GrpcTransportVerificationTest extends TransportVerification {

    @Override
    protected TransportProvider provider() {
        return TransportProviders.byId("grpc");
    }

    @Override
    protected EtcdWire connect(URI url) {
        return new GrpcWire(url);
    }
}
