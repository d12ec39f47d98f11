package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.spi.transport.tls.ReloadingTrustManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the http transport with certificates made at run time by openssl: the client endpoint over
 * https (with client certificate authentication a client without a certificate of the trusted CA is
 * refused during the handshake), and peers over https with mutual TLS.
 */
class HttpTlsTest {

    private static final long CLUSTER = 0x7157;

    @TempDir
    Path dir;

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> put(HttpClient client, URI base) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve("/v3/kv/put")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"dGxz\",\"value\":\"eWVz\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theGatewayOverHttpsRefusesClientsWithoutACertificateOfTheTrustedCa() throws Exception {
        TestPki ours = new TestPki(dir, "ours");
        TestPki.Issued server = ours.issue("server", TestPki.KeyForm.EC_PKCS8);
        TestPki.Issued client = ours.issue("client", TestPki.KeyForm.EC_SEC1);
        TestPki theirs = new TestPki(dir, "theirs");
        TestPki.Issued foreign = theirs.issue("client", TestPki.KeyForm.EC_PKCS8);
        TlsConfig serverTls = TlsConfig.of(server.certificate(), server.key()).withClientCertAuth(ours.ca());

        try (CairnServer member = CairnServer.builder().dataDir(dir.resolve("member")).storage("rocksdb").start()) {
            ClientEndpoint endpoint = TransportProviders.byId("http").startClientEndpoint(member.client(),
                    ClientEndpointConfig.of(serverTls, URI.create("https://127.0.0.1:0")));
            try {
                URI base = endpoint.boundUrls().get(0);
                assertEquals("https", base.getScheme());
                // the client side of our certificates: presents client's, trusts our CA
                SSLContext withCertificate = TlsContexts.client(TlsConfig.of(client.certificate(), client.key())
                        .withTrustedCa(java.util.Optional.of(ours.ca())));
                HttpResponse<String> ok = put(client(withCertificate), base);
                assertEquals(200, ok.statusCode(), ok::body);
                assertTrue(ok.body().contains("\"revision\""), ok.body());

                SSLContext otherCa = TlsContexts.client(TlsConfig.of(foreign.certificate(), foreign.key())
                        .withTrustedCa(java.util.Optional.of(ours.ca())));
                assertThrows(IOException.class, () -> put(client(otherCa), base), "a certificate of another CA is refused");
                SSLContext noCertificate = SSLContext.getInstance("TLS");
                noCertificate.init(null, new javax.net.ssl.TrustManager[] {new ReloadingTrustManager(ours.ca())}, null);
                assertThrows(IOException.class, () -> put(client(noCertificate), base), "a client without a certificate is refused");
                HttpResponse<String> plain = null;
                try {
                    plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + base.getAuthority()
                            + "/v3/kv/put")).timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException refused) {
                    // the TLS listener closes a plain-text connection
                }
                assertTrue(plain == null || plain.statusCode() >= 400, "plain text is not served on an https URL");
            } finally {
                endpoint.close(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void aMissingCertificateFileFailsTheStartNamingIt() {
        TlsConfig tls = TlsConfig.of(dir.resolve("missing.crt"), dir.resolve("missing.key"));
        TransportException failure = assertThrows(TransportException.class, () -> TransportProviders.byId("http")
                .startPeerEndpoint(PeerEndpointConfig.of(CLUSTER, 1, tls, URI.create("https://127.0.0.1:0")), new Recorder()));
        assertTrue(failure.getMessage().contains("missing.crt"), failure.getMessage());
    }

    /** Counts frames and unreachable reports. */
    private static final class Recorder implements PeerHandler {
        final List<Long> frames = new CopyOnWriteArrayList<>();
        final AtomicInteger unreachable = new AtomicInteger();

        @Override
        public void receive(long from, ByteBuffer frame) {
            frames.add(frame.getLong(0));
        }

        @Override
        public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
            data.readAllBytes();
        }

        @Override
        public void unreachable(long peer) {
            unreachable.incrementAndGet();
        }
    }

    @Test
    void peersOverMutualTlsExchangeFramesAndAMemberOfAnotherCaIsRefused() throws Exception {
        TestPki ours = new TestPki(dir, "ours");
        TestPki theirs = new TestPki(dir, "theirs");
        TestPki.Issued one = ours.issue("m1", TestPki.KeyForm.RSA_PKCS1);
        TestPki.Issued two = ours.issue("m2", TestPki.KeyForm.EC_PKCS8);
        TestPki.Issued intruder = theirs.issue("m3", TestPki.KeyForm.EC_PKCS8);
        URI any = URI.create("https://127.0.0.1:0");
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Recorder third = new Recorder();
        try (PeerEndpoint m1 = TransportProviders.byId("http").startPeerEndpoint(PeerEndpointConfig.of(CLUSTER, 1,
                TlsConfig.of(one.certificate(), one.key()).withClientCertAuth(ours.ca()), any), first);
                PeerEndpoint m2 = TransportProviders.byId("http").startPeerEndpoint(PeerEndpointConfig.of(CLUSTER, 2,
                        TlsConfig.of(two.certificate(), two.key()).withClientCertAuth(ours.ca()), any), second);
                // the intruder trusts our CA (it can verify us) but its own certificate is of another CA
                PeerEndpoint m3 = TransportProviders.byId("http").startPeerEndpoint(PeerEndpointConfig.of(CLUSTER, 3,
                        TlsConfig.of(intruder.certificate(), intruder.key()).withClientCertAuth(ours.ca()), any), third)) {
            Map<Long, List<URI>> members = Map.of(1L, m1.boundUrls(), 2L, m2.boundUrls(), 3L, m3.boundUrls());
            m1.updatePeers(members);
            m2.updatePeers(members);
            m3.updatePeers(members);
            for (long seq = 0; seq < 50; seq++) {
                m1.send(2, ByteBuffer.allocate(8).putLong(0, seq));
                m2.send(1, ByteBuffer.allocate(8).putLong(0, seq));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((first.frames.size() < 50 || second.frames.size() < 50) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(50, first.frames.size(), "frames from 2 reached 1 over mutual TLS");
            assertEquals(50, second.frames.size(), "frames from 1 reached 2 over mutual TLS");
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            long seq = 0;
            while (third.unreachable.get() == 0 && System.nanoTime() < deadline) {
                m3.send(1, ByteBuffer.allocate(8).putLong(0, 1000 + seq++));
                Thread.sleep(20);
            }
            assertTrue(third.unreachable.get() > 0, "the member of another CA finds member 1 unreachable");
            assertTrue(first.frames.stream().noneMatch(s -> s >= 1000), "no frame of the member of another CA arrived");
        }
    }

    @Test
    void anHttpsPeerUrlWithoutTlsIsRefused() {
        try (PeerEndpoint plain = TransportProviders.byId("http").startPeerEndpoint(
                PeerEndpointConfig.of(CLUSTER, 1, URI.create("http://127.0.0.1:0")), new Recorder())) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> plain.updatePeers(Map.of(2L, List.of(URI.create("https://127.0.0.1:2380")))));
            assertTrue(refused.getMessage().contains("no peer TLS is configured"), refused.getMessage());
        } catch (RuntimeException e) {
            fail(e);
        }
    }
}
