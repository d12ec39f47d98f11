package io.cairn.transport.grpc;

import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.tls.TlsManagers;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * Netty {@link SslContext}s for a {@link TlsConfig}: the JDK's TLS (its engine calls the
 * reloading key and trust managers of {@link TlsManagers} on every handshake, which is how
 * changed files are picked up), ALPN {@code h2} as gRPC needs, and only the versions from
 * {@link TlsConfig#minVersion()} up (the JDK prefers TLS 1.3 when both sides have it).
 */
final class TlsContexts {

    private TlsContexts() {}

    /**
     * The server side: presents the configured certificate; with {@code clientCertAuth}, a client
     * without a certificate chaining to the trusted CA fails the handshake.
     *
     * @throws TransportException naming the file, if a file cannot be used
     */
    static SslContext server(TlsConfig tls) {
        SslContextBuilder builder = SslContextBuilder.forServer(TlsManagers.keyManager(tls))
                .clientAuth(tls.clientCertAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        if (tls.clientCertAuth()) {
            builder.trustManager(TlsManagers.trustManager(tls));
        }
        return build(builder, tls);
    }

    /**
     * The client side, for a peer endpoint dialing other members: presents the same certificate as
     * its client certificate, verifies theirs against the trusted CA (the JDK's trust store without
     * one); gRPC checks the URL's host against the certificate.
     *
     * @throws TransportException naming the file, if a file cannot be used
     */
    static SslContext client(TlsConfig tls) {
        SslContextBuilder builder = SslContextBuilder.forClient().keyManager(TlsManagers.keyManager(tls))
                .trustManager(TlsManagers.clientTrustManager(tls));
        return build(builder, tls);
    }

    private static SslContext build(SslContextBuilder builder, TlsConfig tls) {
        builder.protocols(TlsManagers.protocols(tls));
        try {
            return GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        } catch (SSLException | RuntimeException failure) {
            throw new TransportException(tls.certificateChain().toString(), "cannot set up TLS: " + failure.getMessage(),
                    failure);
        }
    }
}
