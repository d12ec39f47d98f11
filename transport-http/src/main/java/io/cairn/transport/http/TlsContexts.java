package io.cairn.transport.http;

import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;

import java.io.IOException;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * JDK {@link SSLContext}s for a {@link TlsConfig}: the JDK's engine calls the
 * {@link ReloadingKeyManager} and {@link ReloadingTrustManager} on every handshake, which is how
 * changed files are picked up. The PEM reading and reloading classes are copies of transport-grpc's
 * (plugins export nothing, and the SPI carries no TLS code).
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
        TrustManager[] trust = tls.trustedCa().isPresent() ? new TrustManager[] {trustManager(tls)} : null;
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
        X509ExtendedTrustManager trust = tls.trustedCa().isPresent() ? trustManager(tls)
                : ReloadingTrustManager.systemDefault();
        return build(tls, new TrustManager[] {trust});
    }

    /** The protocol versions {@code tls} allows, newest first (the JDK prefers TLS 1.3 when both sides have it). */
    static String[] protocols(TlsConfig tls) {
        return tls.minVersion() == TlsConfig.Version.TLS1_3
                ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
    }

    private static SSLContext build(TlsConfig tls, TrustManager[] trust) {
        ReloadingKeyManager keys = keyManager(tls);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {keys}, trust, null);
            return context;
        } catch (GeneralSecurityException failure) {
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
