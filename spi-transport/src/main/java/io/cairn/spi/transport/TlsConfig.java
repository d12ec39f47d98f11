package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for an endpoint, from PEM files, as etcd's flags: for the client endpoint {@code --cert-file},
 * {@code --key-file}, {@code --trusted-ca-file}, {@code --client-cert-auth}; for the peer endpoint
 * {@code --peer-cert-file}, {@code --peer-key-file}, {@code --peer-trusted-ca-file},
 * {@code --peer-client-cert-auth}; for both {@code --tls-min-version}.
 *
 * <p>TLS applies to the {@code https} URLs of an endpoint; an {@code http} URL stays plain text even
 * with TLS configured (as in etcd).
 *
 * <p>A peer endpoint uses the same files in both directions: it serves its certificate to members
 * that dial it, verifying their client certificates against {@code trustedCa} when
 * {@code clientCertAuth}; and it dials {@code https} peer URLs presenting the same certificate as
 * its client certificate and verifying the other member's server certificate (and the URL's host
 * against it) with {@code trustedCa}, or the JDK's default trust store without one.
 *
 * <p>Reloading: a provider reads the files when the endpoint starts (a missing or unreadable file
 * fails the start, naming the file) and again when they change (modification time, size or file
 * identity), at the latest on the next handshake, without a restart; connections already made keep
 * their certificates. If changed files cannot be read or do not match (a certificate and key
 * written one after the other), the provider keeps the previous ones and retries on the next change.
 *
 * @param certificateChain PEM file with the certificate the endpoint presents, then its
 *     intermediates; never null
 * @param privateKey PEM file with the private key of that certificate (PKCS#8, PKCS#1 RSA or SEC1
 *     EC, not encrypted); never null
 * @param trustedCa PEM file with the CA certificates that certificates of the other side must chain
 *     to: client certificates (with {@code clientCertAuth}) and, for a peer endpoint dialing others,
 *     their server certificates. Never null; may be empty
 * @param clientCertAuth whether the other side must present a certificate signed by {@code trustedCa};
 *     a connection without one is refused during the handshake
 * @param minVersion the oldest TLS version accepted; never null. TLS 1.3 is used whenever both
 *     sides have it
 */
@Experimental("new with issue 8")
public record TlsConfig(Path certificateChain, Path privateKey, Optional<Path> trustedCa, boolean clientCertAuth,
        Version minVersion) {

    /** TLS versions, named as etcd's {@code --tls-min-version} values. */
    public enum Version {
        /** {@code TLS1.2}, the default minimum. */
        TLS1_2("TLS1.2"),
        /** {@code TLS1.3}. */
        TLS1_3("TLS1.3");

        private final String flagValue;

        Version(String flagValue) {
            this.flagValue = flagValue;
        }

        /** The name etcd's flag takes, such as {@code TLS1.2}. */
        public String flagValue() {
            return flagValue;
        }

        /**
         * @param flagValue {@code TLS1.2} or {@code TLS1.3}
         * @throws IllegalArgumentException naming the accepted values otherwise (older versions are
         *     not supported)
         */
        public static Version ofFlagValue(String flagValue) {
            for (Version version : values()) {
                if (version.flagValue.equals(flagValue)) {
                    return version;
                }
            }
            throw new IllegalArgumentException("unsupported TLS version " + flagValue + ": TLS1.2 or TLS1.3");
        }
    }

    /**
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if client certificates are required without a trusted CA
     */
    public TlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedCa, "trustedCa");
        Objects.requireNonNull(minVersion, "minVersion");
        if (clientCertAuth && trustedCa.isEmpty()) {
            throw new IllegalArgumentException("client certificate authentication needs a trusted CA file");
        }
    }

    /** Serving {@code certificateChain} with {@code privateKey}, clients not verified, TLS 1.2 minimum. */
    public static TlsConfig of(Path certificateChain, Path privateKey) {
        return new TlsConfig(certificateChain, privateKey, Optional.empty(), false, Version.TLS1_2);
    }

    /** This configuration requiring certificates signed by {@code trustedCa} from the other side. */
    public TlsConfig withClientCertAuth(Path trustedCa) {
        Objects.requireNonNull(trustedCa, "trustedCa");
        return new TlsConfig(certificateChain, privateKey, Optional.of(trustedCa), true, minVersion);
    }

    /** This configuration trusting {@code trustedCa} (empty: the JDK's trust store) without requiring client certificates. */
    public TlsConfig withTrustedCa(Optional<Path> trustedCa) {
        return new TlsConfig(certificateChain, privateKey, trustedCa, clientCertAuth, minVersion);
    }

    /** This configuration accepting TLS {@code minVersion} and newer. */
    public TlsConfig withMinVersion(Version minVersion) {
        return new TlsConfig(certificateChain, privateKey, trustedCa, clientCertAuth, minVersion);
    }
}
