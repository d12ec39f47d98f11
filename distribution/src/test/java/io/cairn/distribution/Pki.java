package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate authority made at run time with openssl (EC P-256, valid two days), and
 * certificates it signs for 127.0.0.1/localhost with both server and client use, as members
 * (which are servers to clients and peers, and clients of peers) and etcdctl need.
 */
final class Pki {

    private final Path dir;
    private final String name;
    private final Path caCertificate;

    /** A new CA named {@code name} whose files go in {@code dir}. */
    Pki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caCertificate = dir.resolve(name + "-ca.crt");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                dir.resolve(name + "-ca.key").toString(), "-out", caCertificate.toString(), "-days", "2", "-subj",
                "/CN=" + name + " CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
    }

    Path caCertificate() {
        return caCertificate;
    }

    /** A certificate and its key, PEM files. */
    record Issued(Path certificate, Path key) {}

    /** A certificate for {@code commonName}, valid for 127.0.0.1 and localhost, server and client use. */
    Issued issue(String commonName) {
        try {
            Path key = dir.resolve(name + "-" + commonName + ".key");
            Path request = dir.resolve(name + "-" + commonName + ".csr");
            Path certificate = dir.resolve(name + "-" + commonName + ".crt");
            Path extensions = dir.resolve(name + "-" + commonName + ".ext");
            Files.writeString(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                    + "extendedKeyUsage=serverAuth,clientAuth\n");
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
            openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", request.toString());
            openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey",
                    dir.resolve(name + "-ca.key").toString(), "-set_serial", Long.toString(System.nanoTime()), "-days",
                    "2", "-out", certificate.toString(), "-extfile", extensions.toString());
            return new Issued(certificate, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        CairnProcess.Result result = CairnProcess.runCommand(command, null, Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), () -> "openssl failed: " + result);
    }
}
