package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.transport.grpc.TestPki.Issued;
import io.cairn.transport.grpc.TestPki.KeyForm;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's own client, etcdctl (Go's TLS, not the JDK's), against the TLS client endpoint with
 * {@code --cacert/--cert/--key}. Runs where etcdctl is installed (the distribution's build installs
 * it for its process tests; here it is only looked up on the PATH).
 */
class EtcdctlTlsTest {

    @TempDir
    Path dir;

    @Test
    void etcdctlWithItsCertificateIsServedAndWithoutIsRefused() throws Exception {
        assumeTrue(onPath("etcdctl"), "etcdctl is not installed");
        TestPki pki = new TestPki(dir, "etcdctl");
        Issued server = pki.issue("server", KeyForm.EC_SEC1);
        Issued client = pki.issue("client", KeyForm.RSA_PKCS1);
        Issued foreign = new TestPki(dir, "foreign").issue("client", KeyForm.EC_PKCS8);
        try (FakeCairn cairn = new FakeCairn();
                ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(cairn, ClientEndpointConfig.of(
                        TlsConfig.of(server.certificate(), server.key()).withClientCertAuth(pki.ca()),
                        URI.create("https://127.0.0.1:0")))) {
            String url = endpoint.boundUrls().get(0).toString();
            String ca = "--cacert=" + pki.ca();
            Result put = etcdctl(url, ca, "--cert=" + client.certificate(), "--key=" + client.key(), "put", "k", "v");
            assertEquals(0, put.exit(), put.output());
            Result get = etcdctl(url, ca, "--cert=" + client.certificate(), "--key=" + client.key(), "get", "k",
                    "--print-value-only");
            assertEquals("v", get.output().strip(), get.output());

            Result noCertificate = etcdctl(url, ca, "get", "k");
            assertNotEquals(0, noCertificate.exit(), noCertificate.output());
            Result foreignCertificate = etcdctl(url, ca, "--cert=" + foreign.certificate(), "--key=" + foreign.key(),
                    "get", "k");
            assertNotEquals(0, foreignCertificate.exit(), foreignCertificate.output());
            assertTrue(foreignCertificate.output().contains("context deadline exceeded")
                    || foreignCertificate.output().toLowerCase().contains("certificate"), foreignCertificate.output());
        }
    }

    record Result(int exit, String output) {}

    private static Result etcdctl(String url, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + url, "--dial-timeout=3s",
                "--command-timeout=5s"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("etcdctl did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
