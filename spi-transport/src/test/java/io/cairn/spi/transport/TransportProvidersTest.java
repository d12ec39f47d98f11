package io.cairn.spi.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Cairn;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class TransportProvidersTest {

    private record NamedProvider(String id) implements TransportProvider {
        @Override
        public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
            throw new UnsupportedOperationException("not started in this test");
        }
    }

    @Test
    void theModuleDeclaresThatItUsesTheProviderInterface() {
        assertTrue(TransportProviders.class.getModule().getDescriptor().uses()
                .contains(TransportProvider.class.getName()));
    }

    @Test
    void noProviderIsFoundByThisModuleAlone() {
        var failure = assertThrows(IllegalArgumentException.class, () -> TransportProviders.byId("grpc"));
        assertEquals("unknown transport provider 'grpc'; found on the module path: none", failure.getMessage());
    }

    @Test
    void selectsByIdAndListsTheIdsFoundWhenUnknown() {
        var grpc = new NamedProvider("grpc");
        var http = new NamedProvider("http");
        assertSame(http, TransportProviders.byId("http", List.of(grpc, http)));
        var failure = assertThrows(IllegalArgumentException.class,
                () -> TransportProviders.byId("quic", List.of(grpc, http)));
        assertEquals("unknown transport provider 'quic'; found on the module path: grpc, http", failure.getMessage());
    }

    @Test
    void anIdClaimedTwiceIsAnError() {
        var failure = assertThrows(IllegalArgumentException.class,
                () -> TransportProviders.byId("grpc", List.of(new NamedProvider("grpc"), new NamedProvider("grpc"))));
        assertTrue(failure.getMessage().startsWith("transport provider id 'grpc' is claimed by several providers"),
                failure.getMessage());
    }

    @Test
    void configDefaultsAreEtcds() {
        var config = ClientEndpointConfig.of(URI.create("http://127.0.0.1:2379"));
        assertEquals(1572864, config.maxRequestBytes());
        assertEquals(Integer.MAX_VALUE, config.maxConcurrentStreams());
        assertEquals(Optional.empty(), config.tls());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379")), config.listenUrls());
    }

    @Test
    void configRejectsUrlsItCannotListenOn() {
        for (String bad : List.of("unix:///tmp/x", "http://127.0.0.1", "http://127.0.0.1:2379/v3", "http://:2379",
                "https://127.0.0.1:2379", "http://127.0.0.1:70000")) {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> ClientEndpointConfig.of(URI.create(bad)), bad);
            assertTrue(failure.getMessage().contains(bad), failure.getMessage());
        }
        assertThrows(IllegalArgumentException.class, ClientEndpointConfig::of);
        assertThrows(IllegalArgumentException.class,
                () -> ClientEndpointConfig.of(URI.create("http://a:1"), URI.create("http://a:1")));
        var config = ClientEndpointConfig.of(URI.create("http://127.0.0.1:0"));
        assertThrows(IllegalArgumentException.class, () -> config.withMaxRequestBytes(0));
        assertThrows(IllegalArgumentException.class, () -> config.withMaxConcurrentStreams(-1));
    }

    @Test
    void httpsNeedsTls() {
        var tls = TlsConfig.of(Path.of("server.crt"), Path.of("server.key"));
        var config = new ClientEndpointConfig(List.of(URI.create("https://127.0.0.1:2379")), 1, 1, Optional.of(tls));
        assertEquals(Optional.of(tls), config.tls());
        assertEquals(TlsConfig.Version.TLS1_2, tls.minVersion());
        assertEquals(config, ClientEndpointConfig.of(tls, URI.create("https://127.0.0.1:2379")).withMaxRequestBytes(1)
                .withMaxConcurrentStreams(1));
        assertThrows(IllegalArgumentException.class, () -> ClientEndpointConfig.of(URI.create("https://127.0.0.1:2379")));
        assertThrows(IllegalArgumentException.class,
                () -> new TlsConfig(Path.of("c"), Path.of("k"), Optional.empty(), true, TlsConfig.Version.TLS1_2));
        assertEquals(new TlsConfig(Path.of("server.crt"), Path.of("server.key"), Optional.of(Path.of("ca.crt")), true,
                TlsConfig.Version.TLS1_3), tls.withClientCertAuth(Path.of("ca.crt")).withMinVersion(TlsConfig.Version.TLS1_3));
        assertEquals(TlsConfig.Version.TLS1_3, TlsConfig.Version.ofFlagValue("TLS1.3"));
        var old = assertThrows(IllegalArgumentException.class, () -> TlsConfig.Version.ofFlagValue("TLS1.1"));
        assertEquals("unsupported TLS version TLS1.1: TLS1.2 or TLS1.3", old.getMessage());
    }
}
