package io.cairn.conformance;

import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.net.URI;

/** The HTTP transport (etcd's JSON gateway, HTTP peers) against the transport kit. */
class HttpTransportVerificationTest extends TransportVerification {

    @Override
    protected TransportProvider provider() {
        return TransportProviders.byId("http");
    }

    @Override
    protected EtcdWire connect(URI url) {
        return new HttpGatewayWire(url);
    }
}
