package io.cairn.transport.http;

import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.tls.TlsManagers;

import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * JDK {@link SSLContext}s for a {@link TlsConfig}: the JDK's engine calls the
 * reloading key and trust managers of {@link TlsManagers} (spi-transport, shared with transport-grpc)
 * on every handshake, which is how changed files are picked up.
 */
final class TlsContexts {

    private TlsContexts() {}

    /**
     * The server side: presents the configured certificate; verifies client certificates against the
     * trusted CA when there is one (required or not is the listener's {@link #protocols} setting).
     *
     * @throws TransportException naming the file, if a file cannot be used
     */
    static SSLContext server(TlsConfig tls) {
        TrustManager[] trust = tls.trustedCa().isPresent() ? new TrustManager[] {TlsManagers.trustManager(tls)} : null;
        return build(tls, trust);
    }

    /**
     * The client side, for a peer endpoint dialing other members: presents the same certificate as
     * its client certificate, verifies theirs against the trusted CA (the JDK's trust store without
     * one); the dialer checks the URL's host against the certificate.
     *
     * @throws TransportException naming the file, if a file cannot be used
     */
    static SSLContext client(TlsConfig tls) {
        return build(tls, new TrustManager[] {TlsManagers.clientTrustManager(tls)});
    }

    /** The protocol versions {@code tls} allows, newest first (the JDK prefers TLS 1.3 when both sides have it). */
    static String[] protocols(TlsConfig tls) {
        return TlsManagers.protocols(tls);
    }

    private static SSLContext build(TlsConfig tls, TrustManager[] trust) {
        javax.net.ssl.KeyManager keys = TlsManagers.keyManager(tls);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {keys}, trust, null);
            return context;
        } catch (GeneralSecurityException failure) {
            throw new TransportException(tls.certificateChain().toString(), "cannot set up TLS: " + failure.getMessage(),
                    failure);
        }
    }
}
