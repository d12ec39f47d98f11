package io.cairn.transport.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.spi.transport.tls.ReloadingKeyManager;
import io.cairn.spi.transport.tls.ReloadingTrustManager;
import io.cairn.transport.grpc.TestPki.Issued;
import io.cairn.transport.grpc.TestPki.KeyForm;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.KeyManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC client endpoint over TLS, with certificates made at run time by openssl: jetcd with and
 * without client certificates, the minimum TLS version, and certificates replaced while serving.
 */
class ClientTlsTest {

    private static final URI HTTPS_ANY_PORT = URI.create("https://127.0.0.1:0");

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki otherPki;
    private static Issued server;
    private static Issued client;
    private static Issued foreignClient;

    private FakeCairn cairn;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = new TestPki(dir, "cluster");
        otherPki = new TestPki(dir, "other");
        server = pki.issue("server", KeyForm.RSA_PKCS1);
        client = pki.issue("client", KeyForm.EC_PKCS8);
        foreignClient = otherPki.issue("client", KeyForm.EC_PKCS8);
    }

    @BeforeEach
    void startCairn() {
        cairn = new FakeCairn();
    }

    @AfterEach
    void closeCairn() {
        cairn.close();
    }

    private ClientEndpoint start(TlsConfig tls, URI... urls) {
        return TransportProviders.byId("grpc").startClientEndpoint(cairn,
                ClientEndpointConfig.of(tls, urls.length == 0 ? new URI[] {HTTPS_ANY_PORT} : urls));
    }

    private static TlsConfig mutualTls() {
        return TlsConfig.of(server.certificate(), server.key()).withClientCertAuth(pki.ca());
    }

    @Test
    void jetcdWithItsClientCertificateIsServed() throws Exception {
        try (ClientEndpoint endpoint = start(mutualTls());
                Client jetcd = jetcd(endpoint.boundUrls().get(0), pki.ca(), client)) {
            assertEquals("https", endpoint.boundUrls().get(0).getScheme());
            await(jetcd.getKVClient().put(bytes("k"), bytes("v")));
            assertEquals("v", await(jetcd.getKVClient().get(bytes("k"))).getKvs().get(0).getValue().toString(UTF_8));
        }
    }

    @Test
    void withClientCertAuthTheCertificatesCommonNameIsTheCallerAndATokenComesFirst() throws Exception {
        java.util.List<String> callers = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.cairn.spi.transport.ClientIdentities identities = new io.cairn.spi.transport.ClientIdentities() {
            @Override public io.cairn.api.Cairn anonymous() { callers.add("anonymous"); return cairn; }
            @Override public io.cairn.api.Cairn forToken(String token) { callers.add("token " + token); return cairn; }
            @Override public io.cairn.api.Cairn forCertificateCommonName(String commonName) {
                callers.add("cn " + commonName);
                return cairn;
            }
            @Override public io.cairn.api.Cairn unchecked() { return cairn; }
            @Override public java.util.concurrent.CompletableFuture<io.cairn.spi.transport.KeyAccess> keyAccess(
                    io.cairn.spi.transport.Credentials credentials) {
                return java.util.concurrent.CompletableFuture.completedFuture(io.cairn.spi.transport.KeyAccess.UNRESTRICTED);
            }
        };
        try (ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(identities,
                ClientEndpointConfig.of(mutualTls(), HTTPS_ANY_PORT));
                Client jetcd = jetcd(endpoint.boundUrls().get(0), pki.ca(), client)) {
            await(jetcd.getKVClient().put(bytes("k"), bytes("v")));
            assertEquals(java.util.List.of("cn client"), callers, "the client certificate's CN is \"client\"");
        }
        callers.clear();
        try (ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(identities,
                ClientEndpointConfig.of(TlsConfig.of(server.certificate(), server.key()), HTTPS_ANY_PORT));
                Client jetcd = jetcd(endpoint.boundUrls().get(0), pki.ca(), client)) {
            await(jetcd.getKVClient().put(bytes("k"), bytes("v")));
            assertEquals(java.util.List.of("anonymous"), callers, "without --client-cert-auth a certificate names nobody");
        }
    }

    @Test
    void withClientCertAuthClientsWithoutATrustedCertificateAreRefused() throws Exception {
        try (ClientEndpoint endpoint = start(mutualTls())) {
            URI url = endpoint.boundUrls().get(0);
            try (Client noCertificate = jetcd(url, pki.ca(), null);
                    Client foreignCertificate = jetcd(url, pki.ca(), foreignClient);
                    Client plainText = Client.builder().endpoints(URI.create("http://127.0.0.1:" + url.getPort()))
                            .retryMaxDuration(Duration.ofSeconds(1)).build()) {
                for (Client refused : List.of(noCertificate, foreignCertificate, plainText)) {
                    // jetcd keeps retrying an unavailable endpoint: failed or still not done, the put was not served
                    CompletableFuture<?> put = refused.getKVClient().put(bytes("k"), bytes("refused"));
                    try {
                        put.get(5, TimeUnit.SECONDS);
                        fail("a client without a trusted certificate was served");
                    } catch (ExecutionException | TimeoutException expected) {
                        put.cancel(true);
                    }
                }
            }
            try (Client trusted = jetcd(url, pki.ca(), client)) {
                assertEquals(0, await(trusted.getKVClient().get(bytes("k"))).getCount(), "no refused put got through");
            }
            assertThrows(SSLException.class, () -> probe(url, pki.ca(), null));
            assertThrows(SSLException.class, () -> probe(url, pki.ca(), foreignClient));
            assertEquals("server", probe(url, pki.ca(), client).peerCommonName());
        }
    }

    @Test
    void withoutClientCertAuthAnyTlsClientIsServedAndHttpUrlsStayPlainText() throws Exception {
        try (ClientEndpoint endpoint = start(TlsConfig.of(server.certificate(), server.key()), HTTPS_ANY_PORT,
                URI.create("http://127.0.0.1:0"));
                Client overTls = jetcd(endpoint.boundUrls().get(0), pki.ca(), null);
                Client plainText = Client.builder().endpoints(endpoint.boundUrls().get(1)).build()) {
            await(overTls.getKVClient().put(bytes("k"), bytes("tls")));
            assertEquals("tls", await(plainText.getKVClient().get(bytes("k"))).getKvs().get(0).getValue().toString(UTF_8));
        }
    }

    @Test
    void tls12IsTheMinimumAndTls13IsPreferred() throws Exception {
        try (ClientEndpoint endpoint = start(mutualTls())) {
            URI url = endpoint.boundUrls().get(0);
            assertEquals("TLSv1.3", probe(url, pki.ca(), client).protocol());
            assertEquals("TLSv1.2", probe(url, pki.ca(), client, "TLSv1.2").protocol());
            // the JDK cannot even offer TLS 1.1 any more; openssl can (at security level 0)
            TestPki.Run tls11 = TestPki.run("s_client", "-connect", "127.0.0.1:" + url.getPort(), "-tls1_1",
                    "-cipher", "DEFAULT@SECLEVEL=0", "-cert", client.certificate().toString(),
                    "-key", client.key().toString());
            assertTrue(tls11.exit() != 0 && tls11.output().contains("alert protocol version"),
                    "the server refused TLS 1.1 with a protocol_version alert: " + tls11.output());
        }
        try (ClientEndpoint endpoint = start(mutualTls().withMinVersion(TlsConfig.Version.TLS1_3))) {
            URI url = endpoint.boundUrls().get(0);
            assertEquals("TLSv1.3", probe(url, pki.ca(), client).protocol());
            assertThrows(SSLException.class, () -> probe(url, pki.ca(), client, "TLSv1.2"));
        }
    }

    @Test
    void replacedCertificatesAndCasAreUsedWithoutARestart() throws Exception {
        Path certificate = dir.resolve("rotating.crt");
        Path key = dir.resolve("rotating.key");
        Path ca = dir.resolve("rotating-ca.crt");
        Files.copy(server.certificate(), certificate);
        Files.copy(server.key(), key);
        Files.copy(pki.ca(), ca);
        Issued renewed = pki.issue("server-renewed", KeyForm.EC_SEC1);
        try (ClientEndpoint endpoint = start(TlsConfig.of(certificate, key).withClientCertAuth(ca))) {
            URI url = endpoint.boundUrls().get(0);
            assertEquals("server", probe(url, pki.ca(), client).peerCommonName());

            // a certificate written before its key does not match it: the previous pair stays in use
            TestPki.replace(renewed.certificate(), certificate);
            assertEquals("server", probe(url, pki.ca(), client).peerCommonName());
            TestPki.replace(renewed.key(), key);
            assertEquals("server-renewed", probe(url, pki.ca(), client).peerCommonName());

            // a new client CA: its clients get in, the old one's no longer
            assertThrows(SSLException.class, () -> probe(url, pki.ca(), foreignClient));
            TestPki.replace(otherPki.ca(), ca);
            assertEquals("server-renewed", probe(url, pki.ca(), foreignClient).peerCommonName());
            assertThrows(SSLException.class, () -> probe(url, pki.ca(), client));
            try (Client jetcd = jetcd(url, pki.ca(), foreignClient)) {
                await(jetcd.getKVClient().put(bytes("k"), bytes("after rotation")));
            }
        }
    }

    @Test
    void unusableFilesFailTheStartNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.key");
        TransportException noKey = assertThrows(TransportException.class,
                () -> start(TlsConfig.of(server.certificate(), missing)));
        assertTrue(noKey.getMessage().contains(missing.toString()), noKey.getMessage());

        TransportException wrongKey = assertThrows(TransportException.class,
                () -> start(TlsConfig.of(server.certificate(), client.key())));
        assertTrue(wrongKey.getMessage().contains("does not match"), wrongKey.getMessage());

        Path notPem = Files.writeString(dir.resolve("not-a-ca.pem"), "hello");
        TransportException badCa = assertThrows(TransportException.class,
                () -> start(TlsConfig.of(server.certificate(), server.key()).withClientCertAuth(notPem)));
        assertTrue(badCa.getMessage().contains(notPem + ": no PEM CERTIFICATE block"), badCa.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** jetcd over TLS trusting {@code ca}, presenting {@code certificate} unless null. */
    static Client jetcd(URI url, Path ca, Issued certificate) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(ca.toFile());
        if (certificate != null) {
            ssl.keyManager(certificate.certificate().toFile(), certificate.key().toFile());
        }
        ClientBuilder builder = Client.builder().endpoints(url).sslContext(ssl.build())
                .retryMaxDuration(Duration.ofSeconds(1));
        return builder.build();
    }

    record Handshake(String protocol, String peerCommonName) {}

    /**
     * A TLS connection as a gRPC client makes it (ALPN h2, host checked against the certificate),
     * restricted to {@code protocols} if any. Returns once the server sent its first HTTP/2 bytes,
     * which it does only after accepting the client (with TLS 1.3 a refused client certificate shows
     * only then).
     *
     * @throws SSLException if the handshake fails or the server refuses the client
     */
    static Handshake probe(URI url, Path ca, Issued certificate, String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManager[] keys = certificate == null ? null
                : new KeyManager[] {new ReloadingKeyManager(certificate.certificate(), certificate.key())};
        context.init(keys, new TrustManager[] {new ReloadingTrustManager(ca)}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            // with TLS 1.3 the client's handshake ends before the server has checked its certificate:
            // a refusal shows on the first read as the server's alert, or as a reset or broken pipe
            // when the server closed before the alert was read
            int first;
            try {
                socket.startHandshake();
                first = socket.getInputStream().read();
            } catch (java.net.SocketException reset) {
                throw new SSLException("the server closed the connection during the handshake: " + reset.getMessage(), reset);
            }
            if (first < 0) {
                throw new SSLException("the server closed the connection");
            }
            String subject = ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
            return new Handshake(socket.getSession().getProtocol(), subject.replaceFirst("^CN=", ""));
        }
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }
}
