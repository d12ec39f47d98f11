package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's client TLS flags on a real {@code cairn} process: etcdctl with {@code --cacert/--cert/--key}
 * is served over https; without a client certificate, or with one from another CA, it is refused
 * and writes nothing. Certificates are made at run time with openssl.
 */
class TlsIT {

    @TempDir
    Path pki;

    @Test
    void etcdctlWithCertificatesIsServedAndWithoutIsRefused() throws IOException {
        Etcdctl.find();
        Path ca = authority("ours");
        Path[] server = issue("ours", "server");
        Path[] client = issue("ours", "client");
        authority("theirs");
        Path[] foreign = issue("theirs", "client");

        try (CairnProcess cairn = CairnProcess.start(CairnProcess.newDataDir("tls"),
                "--listen-client-urls", "https://127.0.0.1:0",
                "--cert-file", server[0].toString(), "--key-file", server[1].toString(),
                "--trusted-ca-file", ca.toString(), "--client-cert-auth")) {
            assertEquals("https", cairn.clientUrl().getScheme(), "the ready line names the https URL");
            String endpoint = "https://" + cairn.endpoint();
            Etcdctl withCertificate = new Etcdctl(endpoint);
            withCertificate.ok("--cacert", ca.toString(), "--cert", client[0].toString(), "--key", client[1].toString(),
                    "put", "secure", "yes");
            String got = withCertificate.ok("--cacert", ca.toString(), "--cert", client[0].toString(), "--key",
                    client[1].toString(), "get", "secure", "--print-value-only");
            assertEquals("yes", got.strip());

            CairnProcess.Result noCertificate = withCertificate.run("--cacert", ca.toString(), "put", "intruder", "1");
            assertNotEquals(0, noCertificate.exitCode(), "a client without a certificate is refused: " + noCertificate);
            CairnProcess.Result otherCa = withCertificate.run("--cacert", ca.toString(), "--cert", foreign[0].toString(),
                    "--key", foreign[1].toString(), "put", "intruder", "2");
            assertNotEquals(0, otherCa.exitCode(), "a certificate from another CA is refused: " + otherCa);
            CairnProcess.Result plain = new Etcdctl(cairn.endpoint()).run("put", "intruder", "3");
            assertNotEquals(0, plain.exitCode(), "plain text is refused: " + plain);

            // the HTTP APIs' twin URL is https too, with the same flags: etcd's curl examples with certificates
            assertEquals("https", cairn.httpUrl().getScheme(), "an https client URL gets an https HTTP twin");
            String range = cairn.httpUrl().resolve("/v3/kv/range").toString();
            CairnProcess.Result curl = CairnProcess.runCommand(List.of("curl", "-sS", "--fail", "--cacert", ca.toString(),
                    "--cert", client[0].toString(), "--key", client[1].toString(), "-X", "POST", range, "-d",
                    "{\"key\":\"c2VjdXJl\"}"), null, Duration.ofSeconds(30));
            assertEquals(0, curl.exitCode(), () -> "curl with certificates: " + curl);
            assertTrue(curl.stdout().contains("\"value\":\"eWVz\""), () -> "the gateway over https answers: " + curl);
            CairnProcess.Result curlWithoutCertificate = CairnProcess.runCommand(List.of("curl", "-sS", "--fail", "--cacert",
                    ca.toString(), "-X", "POST", range, "-d", "{\"key\":\"c2VjdXJl\"}"), null, Duration.ofSeconds(30));
            assertNotEquals(0, curlWithoutCertificate.exitCode(), () -> "curl without a certificate is refused: "
                    + curlWithoutCertificate);

            String intruders = withCertificate.ok("--cacert", ca.toString(), "--cert", client[0].toString(), "--key",
                    client[1].toString(), "get", "intruder", "--keys-only");
            assertEquals("", intruders.strip(), "no refused client wrote anything");
        }
    }

    @Test
    void httpsWithoutCertificateFlagsIsAUsageError() {
        CairnProcess.Result result = CairnProcess.run(Duration.ofSeconds(30), "--data-dir",
                CairnProcess.newDataDir("tls-usage").toString(), "--listen-client-urls", "https://127.0.0.1:0");
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("give --cert-file and --key-file"), result.stderr());
    }

    private Path authority(String name) throws IOException {
        Path certificate = pki.resolve(name + "-ca.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                pki.resolve(name + "-ca.key").toString(), "-out", certificate.toString(), "-days", "2", "-subj",
                "/CN=" + name + " CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        return certificate;
    }

    /** A certificate of CA {@code ca} for 127.0.0.1, server and client use: {certificate, key}. */
    private Path[] issue(String ca, String commonName) throws IOException {
        Path key = pki.resolve(ca + "-" + commonName + ".key");
        Path request = pki.resolve(ca + "-" + commonName + ".csr");
        Path certificate = pki.resolve(ca + "-" + commonName + ".crt");
        Path extensions = pki.resolve(ca + "-" + commonName + ".ext");
        Files.writeString(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", pki.resolve(ca + "-ca.crt").toString(), "-CAkey",
                pki.resolve(ca + "-ca.key").toString(), "-set_serial", Long.toString(System.nanoTime()), "-days", "2",
                "-out", certificate.toString(), "-extfile", extensions.toString());
        return new Path[] {certificate, key};
    }

    private static void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        CairnProcess.Result result = CairnProcess.runCommand(command, null, Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), () -> "openssl failed: " + result);
    }
}
