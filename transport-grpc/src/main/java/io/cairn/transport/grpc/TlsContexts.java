package io.cairn.transport.grpc;

import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;

import java.io.IOException;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Netty {@link SslContext}s for a {@link TlsConfig}: the JDK's TLS (its engine calls the
 * {@link ReloadingKeyManager} and {@link ReloadingTrustManager} on every handshake, which is how
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
        ReloadingKeyManager keys = keyManager(tls);
        SslContextBuilder builder = SslContextBuilder.forServer(keys)
                .clientAuth(tls.clientCertAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        if (tls.clientCertAuth()) {
            builder.trustManager(trustManager(tls));
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
        X509ExtendedTrustManager trust = tls.trustedCa().isPresent() ? trustManager(tls)
                : ReloadingTrustManager.systemDefault();
        SslContextBuilder builder = SslContextBuilder.forClient().keyManager(keyManager(tls)).trustManager(trust);
        return build(builder, tls);
    }

    private static SslContext build(SslContextBuilder builder, TlsConfig tls) {
        builder.protocols(tls.minVersion() == TlsConfig.Version.TLS1_3
                ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"});
        try {
            return GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        } catch (SSLException | RuntimeException failure) {
            throw new TransportException(tls.certificateChain().toString(), "cannot set up TLS: " + failure.getMessage(),
                    failure);
        }
    }

    private static ReloadingKeyManager keyManager(TlsConfig tls) {
        try {
            return new ReloadingKeyManager(tls.certificateChain(), tls.privateKey());
        } catch (IOException unusable) {
            throw new TransportException(tls.certificateChain().toString(), unusable.getMessage(), unusable);
        }
    }

    private static ReloadingTrustManager trustManager(TlsConfig tls) {
        try {
            return new ReloadingTrustManager(tls.trustedCa().orElseThrow());
        } catch (IOException unusable) {
            throw new TransportException(tls.trustedCa().orElseThrow().toString(), unusable.getMessage(), unusable);
        }
    }
}
