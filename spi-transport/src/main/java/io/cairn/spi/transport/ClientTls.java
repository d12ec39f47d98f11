package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for a client endpoint, as etcd's {@code --cert-file}, {@code --key-file},
 * {@code --trusted-ca-file} and {@code --client-cert-auth}. A placeholder: the shape is here so the
 * configuration can carry it, but TLS arrives with a later issue and today's providers refuse a
 * configuration that sets it (see {@link ClientEndpointConfig#tls()}).
 *
 * @param certificateChain PEM certificate chain the endpoint presents; never null
 * @param privateKey PEM private key of that certificate; never null
 * @param trustedClientCa PEM CA bundle that client certificates must chain to, when clients are
 *     verified; never null
 * @param requireClientCertificate whether clients must present a certificate signed by
 *     {@code trustedClientCa}
 */
@Experimental("placeholder: TLS comes with a later issue")
public record ClientTls(Path certificateChain, Path privateKey, Optional<Path> trustedClientCa,
        boolean requireClientCertificate) {

    /**
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if client certificates are required without a trusted CA
     */
    public ClientTls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedClientCa, "trustedClientCa");
        if (requireClientCertificate && trustedClientCa.isEmpty()) {
            throw new IllegalArgumentException("requireClientCertificate needs trustedClientCa");
        }
    }
}
