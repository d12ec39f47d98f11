package io.cairn.client;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** TLS contexts for the channels: the JDK's trust store by default, or the given CA and client key pair. */
final class Tls {

    private Tls() {}

    static SslContext defaultContext() {
        try {
            return GrpcSslContexts.forClient().build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param trustedCa PEM certificates to trust instead of the JDK's, or null
     * @param clientCertificate PEM certificate chain for client authentication, or null
     * @param clientKey PKCS#8 PEM private key of {@code clientCertificate}, or null
     */
    static SslContext context(Path trustedCa, Path clientCertificate, Path clientKey) {
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient();
            if (trustedCa != null) {
                builder.trustManager(trustedCa.toFile());
            }
            if (clientCertificate != null) {
                builder.keyManager(clientCertificate.toFile(), clientKey.toFile());
            }
            return builder.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

}
