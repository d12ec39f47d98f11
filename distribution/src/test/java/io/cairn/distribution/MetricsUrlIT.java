package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's {@code --listen-metrics-urls} on a real {@code cairn} whose client URLs require client
 * certificates: the metrics URL answers {@code /metrics} and {@code /health} in plain HTTP without one
 * (what the kubelet's probes and Prometheus need), serves nothing else, while the client and HTTP URLs
 * still refuse a client without a certificate. Asked with curl, as operators and probes do.
 */
class MetricsUrlIT {

    @TempDir
    Path dir;

    @Test
    void metricsUrlAnswersWithoutACertificateWhileClientUrlsRefuse() {
        Pki pki = new Pki(dir, "metrics");
        Pki.Issued server = pki.issue("server");
        try (CairnProcess cairn = CairnProcess.start(CairnProcess.newDataDir("metrics-url"),
                "--listen-client-urls", "https://127.0.0.1:0",
                "--listen-client-http-urls", "https://127.0.0.1:0",
                "--listen-metrics-urls", "http://127.0.0.1:0",
                "--cert-file", server.certificate().toString(), "--key-file", server.key().toString(),
                "--trusted-ca-file", pki.caCertificate().toString(), "--client-cert-auth")) {
            URI metrics = cairn.metricsUrl();
            assertEquals("http", metrics.getScheme(), "the ready line names the plain metrics URL");

            CairnProcess.Result scrape = curl(metrics.resolve("/metrics"));
            assertEquals("200", status(scrape), () -> "/metrics without a certificate: " + scrape);
            assertTrue(scrape.stdout().contains("etcd_server_has_leader 1"), scrape::toString);
            CairnProcess.Result health = curl(metrics.resolve("/health"));
            assertEquals("200", status(health), health::toString);
            assertTrue(health.stdout().startsWith("{\"health\":\"true\",\"reason\":\"\"}"), health::toString);
            CairnProcess.Result liveness = curl(metrics.resolve("/health?exclude=NOSPACE&serializable=true"));
            assertEquals("200", status(liveness), liveness::toString);

            // only the monitoring routes: the client API is not reachable through this port
            assertEquals("404", status(curl(metrics.resolve("/version"))));
            assertEquals("404", status(curl(metrics.resolve("/v3/kv/range"), "-X", "POST", "-d", "{\"key\":\"YQ==\"}")));

            // the client URLs still want a certificate: the handshake fails without one
            CairnProcess.Result gateway = curl(cairn.httpUrl().resolve("/health"), "--cacert",
                    pki.caCertificate().toString());
            assertNotEquals(0, gateway.exitCode(), () -> "the HTTP URL refuses a client without a certificate: "
                    + gateway);
            CairnProcess.Result grpcPort = curl(cairn.clientUrl().resolve("/health"), "--cacert",
                    pki.caCertificate().toString());
            assertNotEquals(0, grpcPort.exitCode(), () -> "the client URL refuses a client without a certificate: "
                    + grpcPort);
            assertEquals(0, cairn.stop(), cairn::stderr);
        }
    }

    /** curl printing the body, then the status code on a line of its own. */
    private static CairnProcess.Result curl(URI url, String... options) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}"));
        command.addAll(List.of(options));
        command.add(url.toString());
        return CairnProcess.runCommand(command, null, Duration.ofSeconds(60));
    }

    private static String status(CairnProcess.Result result) {
        assertEquals(0, result.exitCode(), result::toString);
        String out = result.stdout().strip();
        return out.substring(out.lastIndexOf('\n') + 1);
    }
}
