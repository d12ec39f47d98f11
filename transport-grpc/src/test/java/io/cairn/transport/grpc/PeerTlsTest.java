package io.cairn.transport.grpc;

import static io.cairn.transport.grpc.PeerTestSupport.CLUSTER;
import static io.cairn.transport.grpc.PeerTestSupport.await;
import static io.cairn.transport.grpc.PeerTestSupport.frame;
import static io.cairn.transport.grpc.PeerTestSupport.range;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.TlsConfig;
import io.cairn.transport.grpc.PeerTestSupport.RecordingHandler;
import io.cairn.transport.grpc.TestPki.Issued;
import io.cairn.transport.grpc.TestPki.KeyForm;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peer endpoints over mutual TLS, with certificates made at run time by openssl. */
class PeerTlsTest {

    private static final URI HTTPS_ANY_PORT = URI.create("https://127.0.0.1:0");

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki otherPki;
    private static Issued member1;
    private static Issued member2;
    private static Issued impostor;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = new TestPki(dir, "peers");
        otherPki = new TestPki(dir, "other");
        member1 = pki.issue("member-1", KeyForm.EC_PKCS8);
        member2 = pki.issue("member-2", KeyForm.EC_SEC1);
        impostor = otherPki.issue("member-2", KeyForm.EC_PKCS8);
    }

    private static TlsConfig mutualTls(Issued member, Path ca) {
        return TlsConfig.of(member.certificate(), member.key()).withClientCertAuth(ca);
    }

    private static GrpcPeerEndpoint start(long member, TlsConfig tls, RecordingHandler handler) {
        return GrpcPeerEndpoint.start(PeerEndpointConfig.of(CLUSTER, member, tls, HTTPS_ANY_PORT), handler);
    }

    @Test
    void framesAndASnapshotCrossMutualTls() throws Exception {
        RecordingHandler first = new RecordingHandler();
        RecordingHandler second = new RecordingHandler();
        byte[] snapshot = new byte[3 << 20];
        new Random(7).nextBytes(snapshot);
        AtomicReference<byte[]> received = new AtomicReference<>();
        second.snapshots = (from, message, data) -> received.set(data.readAllBytes());
        try (GrpcPeerEndpoint one = start(1, mutualTls(member1, pki.ca()), first);
                GrpcPeerEndpoint two = start(2, mutualTls(member2, pki.ca()), second)) {
            assertEquals("https", one.boundUrls().get(0).getScheme());
            Map<Long, List<URI>> members = Map.of(1L, one.boundUrls(), 2L, two.boundUrls());
            one.updatePeers(members);
            two.updatePeers(members);
            for (int seq = 0; seq < 100; seq++) {
                assertTrue(one.send(2, frame(seq, 100)));
                assertTrue(two.send(1, frame(seq, 100)));
            }
            await(() -> second.from(1).size() == 100 && first.from(2).size() == 100,
                    () -> "frames arrived: " + second.from(1).size() + " and " + first.from(2).size());
            assertEquals(range(0, 100), second.from(1));
            assertEquals(range(0, 100), first.from(2));

            one.sendSnapshot(2, ByteBuffer.wrap("snap".getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayInputStream(snapshot)).get(30, TimeUnit.SECONDS);
            assertArrayEquals(snapshot, received.get(), "the snapshot arrived byte for byte");
            assertEquals(0, first.unreachable.size() + second.unreachable.size(), "no peer reported unreachable");
        }
    }

    @Test
    void aPeerWithACertificateOfAnotherCaIsRefusedBothWays() throws Exception {
        RecordingHandler honest = new RecordingHandler();
        RecordingHandler impostorHandler = new RecordingHandler();
        // the impostor trusts the cluster's CA, so only its own certificate gives it away
        try (GrpcPeerEndpoint one = start(1, mutualTls(member1, pki.ca()), honest);
                GrpcPeerEndpoint two = start(2, mutualTls(impostor, pki.ca()), impostorHandler)) {
            Map<Long, List<URI>> members = Map.of(1L, one.boundUrls(), 2L, two.boundUrls());
            one.updatePeers(members);
            two.updatePeers(members);
            assertTrue(one.send(2, frame(0, 64)));
            assertTrue(two.send(1, frame(0, 64)));
            await(() -> honest.unreachableCount(2) > 0 && impostorHandler.unreachableCount(1) > 0,
                    () -> "both sides report the other unreachable: " + one.lastFailure(2) + " / " + two.lastFailure(1));
            assertTrue(one.lastFailure(2).startsWith("UNAVAILABLE"), "member 1 does not trust the impostor's "
                    + "server certificate: " + one.lastFailure(2));
            assertTrue(two.lastFailure(1).startsWith("UNAVAILABLE"), "member 1 refuses the impostor's client "
                    + "certificate: " + two.lastFailure(1));
            ExecutionException snapshot = assertThrows(ExecutionException.class, () -> two.sendSnapshot(1,
                    ByteBuffer.allocate(4), new ByteArrayInputStream(new byte[1024])).get(30, TimeUnit.SECONDS));
            assertTrue(snapshot.getCause() instanceof io.cairn.spi.transport.TransportException, snapshot.toString());
            assertEquals(0, honest.frames.get(), "nothing from the impostor delivered");
            assertEquals(0, impostorHandler.frames.get(), "nothing delivered to the impostor");
            // what a member's TLS client sees: the handshake fails
            assertThrows(SSLException.class, () -> ClientTlsTest.probe(one.boundUrls().get(0), pki.ca(), impostor));
        }
    }

    @Test
    void httpsPeerUrlsNeedTls() {
        try (GrpcPeerEndpoint plain = PeerTestSupport.start(1, new RecordingHandler())) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> plain.updatePeers(Map.of(2L, List.of(URI.create("https://127.0.0.1:2380")))));
            assertEquals("peer URL https://127.0.0.1:2380 of member 2 uses https but no peer TLS is configured",
                    failure.getMessage());
        }
    }

    @Test
    void aPlainTextPeerCannotReachATlsOne() {
        RecordingHandler plainHandler = new RecordingHandler();
        RecordingHandler tlsHandler = new RecordingHandler();
        try (GrpcPeerEndpoint plain = PeerTestSupport.start(1, plainHandler);
                GrpcPeerEndpoint secure = start(2, mutualTls(member2, pki.ca()), tlsHandler)) {
            URI tlsPortOverHttp = URI.create("http://127.0.0.1:" + secure.boundUrls().get(0).getPort());
            plain.updatePeers(Map.of(2L, List.of(tlsPortOverHttp)));
            assertTrue(plain.send(2, frame(0, 64)));
            await(() -> plainHandler.unreachableCount(2) > 0, () -> "the plain-text sender gives up: " + plain.lastFailure(2));
            assertEquals(0, tlsHandler.frames.get());
        }
    }
}
