package io.cairn.spi.transport.tls;

import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;

import java.io.IOException;
import java.nio.file.Path;

import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The key and trust managers and protocol versions for a {@link TlsConfig}, as both transport plugins
 * put them into their TLS contexts. Stateless and thread-safe; the managers returned belong to the
 * caller (they hold no resources to close).
 */
public final class TlsManagers {

    private TlsManagers() {}

    /**
     * The endpoint's own certificate and key, reloaded when the files change.
     *
     * @throws TransportException naming the certificate file, if the files cannot be read or do not match
     */
    public static ReloadingKeyManager keyManager(TlsConfig tls) {
        try {
            return new ReloadingKeyManager(tls.certificateChain(), tls.privateKey());
        } catch (IOException unusable) {
            throw new TransportException(tls.certificateChain().toString(), unusable.getMessage(), unusable);
        }
    }

    /**
     * Trust in the configured CA file, reloaded when it changes.
     *
     * @throws java.util.NoSuchElementException if {@code tls} has no trusted CA
     * @throws TransportException naming the CA file, if it cannot be read
     */
    public static ReloadingTrustManager trustManager(TlsConfig tls) {
        Path caFile = tls.trustedCa().orElseThrow();
        try {
            return new ReloadingTrustManager(caFile);
        } catch (IOException unusable) {
            throw new TransportException(caFile.toString(), unusable.getMessage(), unusable);
        }
    }

    /**
     * What a dialing side trusts: the configured CA, or the JDK's trust store without one.
     *
     * @throws TransportException naming the CA file, if it cannot be read
     */
    public static X509ExtendedTrustManager clientTrustManager(TlsConfig tls) {
        return tls.trustedCa().isPresent() ? trustManager(tls) : ReloadingTrustManager.systemDefault();
    }

    /** The protocol versions {@code tls} allows, newest first (the JDK prefers TLS 1.3 when both sides have it). */
    public static String[] protocols(TlsConfig tls) {
        return tls.minVersion() == TlsConfig.Version.TLS1_3
                ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
    }
}
