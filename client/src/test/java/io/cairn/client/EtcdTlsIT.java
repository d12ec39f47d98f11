package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static io.cairn.client.TestServers.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.StatusCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS against a real etcd that requires client certificates (Cairn's server does not serve TLS yet).
 * The certificates are made for the test with the openssl command: a CA, a server certificate for
 * 127.0.0.1 and a client certificate.
 */
class EtcdTlsIT {

    private Path dir;
    private EtcdProcess etcd;

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed; see " + dir.resolve("openssl.log"));
        }
    }

    private void certificate(String name, String subject, String extensions) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    @BeforeEach
    void start() throws Exception {
        Path base = Path.of(System.getProperty("cairn.test.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "etcd-tls-");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=cairn-test-ca");
        certificate("server", "/CN=127.0.0.1",
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        certificate("client", "/CN=cairn-client", "extendedKeyUsage=clientAuth\n");
        etcd = new EtcdProcess(dir.resolve("data"), List.of(
                "--cert-file", dir.resolve("server.pem").toString(),
                "--key-file", dir.resolve("server.key").toString(),
                "--trusted-ca-file", dir.resolve("ca.pem").toString(),
                "--client-cert-auth")).start();
    }

    @AfterEach
    void stop() {
        etcd.close();
    }

    private CairnClient trusted() {
        return CairnClient.builder().endpoints(etcd.endpoint())
                .trustedCertificates(dir.resolve("ca.pem"))
                .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"))
                .maxAttempts(30).backoff(Duration.ofMillis(20), Duration.ofMillis(300)).build();
    }

    /** Whether TLS is what failed: an SSL exception somewhere in the causes. */
    private static boolean tlsFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aClientWithTheCaAndACertificateTalksTls() {
        try (CairnClient client = trusted()) {
            await(client.kv().put(Bytes.fromUtf8("tls"), Bytes.fromUtf8("yes")));
            assertEquals("yes", await(client.kv().get(Bytes.fromUtf8("tls"))).kvs().get(0).value().toUtf8());
        }
    }

    @Test
    void withoutTheCaOrTheClientCertificateTheHandshakeFails() {
        try (CairnClient client = trusted()) {
            await(client.kv().get(Bytes.fromUtf8("tls"))); // etcd is up: what fails below is TLS
        }
        try (CairnClient untrusting = CairnClient.builder().endpoints(etcd.endpoint()).maxAttempts(1).build();
             CairnClient anonymous = CairnClient.builder().endpoints(etcd.endpoint())
                     .trustedCertificates(dir.resolve("ca.pem")).maxAttempts(1).build()) {
            var untrusted = failure(untrusting.kv().get(Bytes.fromUtf8("tls")));
            assertEquals(StatusCode.UNAVAILABLE, untrusted.status());
            assertTrue(tlsFailed(untrusted), "the JDK's trust store does not know the test CA: " + untrusted);
            var refused = failure(anonymous.kv().get(Bytes.fromUtf8("tls")));
            assertEquals(StatusCode.UNAVAILABLE, refused.status());
            assertTrue(tlsFailed(refused), "etcd asks for a client certificate: " + refused);
        }
    }
}
