package io.cairn.spi.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PeerEndpointConfigTest {

    private static final URI PEER = URI.create("http://127.0.0.1:2380");

    @Test
    void ofTakesTheDefaultLimits() {
        PeerEndpointConfig config = PeerEndpointConfig.of(7, 1, PEER, URI.create("http://[::1]:0"));
        assertEquals(List.of(PEER, URI.create("http://[::1]:0")), config.listenUrls());
        assertEquals(7, config.clusterId());
        assertEquals(1, config.memberId());
        assertEquals(PeerEndpointConfig.DEFAULT_MAX_QUEUED_FRAMES, config.maxQueuedFrames());
        assertEquals(PeerEndpointConfig.DEFAULT_MAX_FRAME_BYTES, config.maxFrameBytes());
    }

    @Test
    void withMethodsChangeOneLimitEach() {
        PeerEndpointConfig config = PeerEndpointConfig.of(-3, 2, PEER).withMaxQueuedFrames(10).withMaxFrameBytes(4096);
        assertEquals(new PeerEndpointConfig(List.of(PEER), -3, 2, 10, 4096), config);
    }

    @Test
    void listenUrlsAreCopied() {
        List<URI> urls = new ArrayList<>(List.of(PEER));
        PeerEndpointConfig config = new PeerEndpointConfig(urls, 1, 1, 1, 1);
        urls.clear();
        assertEquals(List.of(PEER), config.listenUrls());
        assertThrows(UnsupportedOperationException.class, () -> config.listenUrls().add(PEER));
    }

    record Invalid(String name, List<URI> urls, long clusterId, long memberId, int maxQueuedFrames, int maxFrameBytes,
            String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Invalid> invalidConfigs() {
        List<URI> ok = List.of(PEER);
        return List.of(
                new Invalid("no URL", List.of(), 1, 1, 1, 1, "at least one peer listen URL is needed"),
                new Invalid("URL twice", List.of(PEER, PEER), 1, 1, 1, 1,
                        "a peer listen URL is given twice: [http://127.0.0.1:2380, http://127.0.0.1:2380]"),
                new Invalid("unix scheme", List.of(URI.create("unix:///tmp/peer.sock")), 1, 1, 1, 1,
                        "peer listen URL unix:///tmp/peer.sock must use http or https"),
                new Invalid("https without TLS", List.of(URI.create("https://127.0.0.1:2380")), 1, 1, 1, 1,
                        "peer listen URL https://127.0.0.1:2380 uses https but no TLS is configured"),
                new Invalid("no port", List.of(URI.create("http://127.0.0.1")), 1, 1, 1, 1,
                        "peer listen URL http://127.0.0.1 needs an explicit port in [0, 65535]"),
                new Invalid("a path", List.of(URI.create("http://127.0.0.1:2380/raft")), 1, 1, 1, 1,
                        "peer listen URL http://127.0.0.1:2380/raft must be only scheme://host:port"),
                new Invalid("cluster id 0", ok, 0, 1, 1, 1, "clusterId must not be 0"),
                new Invalid("member id 0", ok, 1, 0, 1, 1, "memberId must be positive, got 0"),
                new Invalid("negative member id", ok, 1, -5, 1, 1, "memberId must be positive, got -5"),
                new Invalid("no queue", ok, 1, 1, 0, 1, "maxQueuedFrames must be positive, got 0"),
                new Invalid("no frame size", ok, 1, 1, 1, -1, "maxFrameBytes must be positive, got -1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void invalidValuesAreRefusedNamingTheValue(Invalid row) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> new PeerEndpointConfig(row.urls(), row.clusterId(), row.memberId(), row.maxQueuedFrames(), row.maxFrameBytes()));
        assertEquals(row.message(), failure.getMessage());
    }

    @Test
    void nullsAreRefused() {
        assertThrows(NullPointerException.class, () -> new PeerEndpointConfig(null, 1, 1, 1, 1));
        assertThrows(NullPointerException.class, () -> new PeerEndpointConfig(Arrays.asList(PEER, null), 1, 1, 1, 1));
        assertThrows(NullPointerException.class, () -> PeerEndpointConfig.of(1, 1, (URI[]) null));
    }

    @Test
    void httpsPeerUrlsTakeTls() {
        URI https = URI.create("https://127.0.0.1:2380");
        TlsConfig tls = TlsConfig.of(java.nio.file.Path.of("peer.crt"), java.nio.file.Path.of("peer.key"))
                .withClientCertAuth(java.nio.file.Path.of("ca.crt"));
        PeerEndpointConfig config = PeerEndpointConfig.of(1, 1, PEER).withTls(java.util.Optional.of(tls));
        assertEquals(java.util.Optional.of(tls), config.tls());
        assertEquals(java.util.Optional.empty(), PeerEndpointConfig.of(1, 1, PEER).tls());
        assertEquals(java.util.Optional.of(tls), new PeerEndpointConfig(List.of(https), 1, 1, 1, 1,
                java.util.Optional.of(tls)).withMaxFrameBytes(2).tls());
        assertEquals(List.of(https), PeerEndpointConfig.of(1, 1, tls, https).listenUrls());
        assertThrows(IllegalArgumentException.class, () -> new PeerEndpointConfig(List.of(https), 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PeerEndpointConfig.of(1, 1, https));
    }

    @Test
    void theWithMethodsValidateToo() {
        PeerEndpointConfig config = PeerEndpointConfig.of(1, 1, PEER);
        assertThrows(IllegalArgumentException.class, () -> config.withMaxQueuedFrames(0));
        assertThrows(IllegalArgumentException.class, () -> config.withMaxFrameBytes(0));
    }
}
