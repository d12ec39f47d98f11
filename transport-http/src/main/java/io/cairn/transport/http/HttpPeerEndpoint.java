package io.cairn.transport.http;

import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.PeerHandlerGate;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.peer.PeerLinks;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * A running HTTP peer endpoint: one Undertow server per listen URL serving {@link PeerRequests},
 * one {@link HttpPeerLink} per peer for frames (batched POSTs, one at a time, on the link's own
 * thread), and one blocking POST per outgoing snapshot on a thread of {@link #snapshotSenders}.
 * The dialing side is the JDK's {@link HttpURLConnection} (HTTP/1.1 with keep-alive, TLS through
 * {@link HttpsURLConnection}, which checks the URL's host against the certificate).
 *
 * <h2>Threads</h2>
 * A bounded set, all owned here and stopped by {@link #close()}: per listen URL one Undertow I/O
 * thread and {@link #WORKER_THREADS} workers (frames are handed to the member there, which is why
 * {@link PeerHandler#receive} must not block; incoming snapshots run there too, at most
 * {@link #MAX_INCOMING_SNAPSHOTS} at once); one thread per peer link; up to
 * {@link #MAX_OUTGOING_SNAPSHOTS} threads writing outgoing snapshots (more wait their turn).
 */
final class HttpPeerEndpoint implements PeerEndpoint {

    static final int WORKER_THREADS = 8;
    static final int MAX_OUTGOING_SNAPSHOTS = 4;
    static final int MAX_INCOMING_SNAPSHOTS = 4;
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    /** A batch is answered as soon as its frames are handed over; longer means the peer is stuck or gone. */
    static final int FRAMES_READ_TIMEOUT_MILLIS = 5000;
    /** The receiver stores a snapshot before it answers; past this the transfer counts as failed. */
    static final int SNAPSHOT_READ_TIMEOUT_MILLIS = 5 * 60 * 1000;
    static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;
    private static final long HANDLER_RETURN_SECONDS = 30;

    private static final System.Logger LOG = System.getLogger(HttpPeerEndpoint.class.getName());

    private final PeerEndpointConfig config;
    private final PeerHandlerGate gate;
    private final PeerRequests requests;
    private final ThreadPoolExecutor snapshotSenders;
    private final PeerLinks<HttpPeerLink> links;
    private final Set<SnapshotUpload> outgoingSnapshots = ConcurrentHashMap.newKeySet();
    /** For dialing {@code https} peer URLs; null without TLS. */
    private final SSLSocketFactory clientTls;
    /** For the {@code https} listen URLs; null without TLS. */
    private final SSLContext serverTls;

    // Set once by listen().
    private List<Undertow> servers = List.of();
    private List<URI> boundUrls = List.of();

    private HttpPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
        this.config = config;
        // TLS files first: a bad one fails the start before any thread or socket exists
        this.serverTls = config.tls().map(TlsContexts::server).orElse(null);
        this.clientTls = config.tls().map(tls -> clientSocketFactory(TlsContexts.client(tls), tls)).orElse(null);
        this.links = new PeerLinks<>(config.memberId(), clientTls != null, (id, urls) -> new HttpPeerLink(this, id, urls));
        this.gate = new PeerHandlerGate(handler);
        this.requests = new PeerRequests(config, gate);
        AtomicInteger count = new AtomicInteger();
        String name = "cairn-http-peer-" + PeerWire.hex(config.memberId()) + "-snapshot-out-";
        this.snapshotSenders = new ThreadPoolExecutor(MAX_OUTGOING_SNAPSHOTS, MAX_OUTGOING_SNAPSHOTS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, name + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.snapshotSenders.allowCoreThreadTimeOut(true);
    }

    static HttpPeerEndpoint start(PeerEndpointConfig config, PeerHandler handler) {
        HttpPeerEndpoint endpoint = new HttpPeerEndpoint(config, handler);
        try {
            endpoint.listen();
        } catch (RuntimeException failure) {
            endpoint.close();
            throw failure;
        }
        return endpoint;
    }

    private void listen() {
        List<Undertow> started = new ArrayList<>();
        List<URI> urls = new ArrayList<>();
        try {
            for (URI url : config.listenUrls()) {
                InetSocketAddress address = HttpClientEndpoint.resolve(url);
                Undertow.Builder builder = Undertow.builder()
                        .setIoThreads(1)
                        .setWorkerThreads(WORKER_THREADS)
                        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                        // no limit on a body: a snapshot is as large as the data, and frames are checked one by
                        // one as they are read (PeerRequests), so a body never sits in memory whole
                        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                        .setHandler(requests);
                boolean https = "https".equals(url.getScheme());
                Listeners.add(builder, address, https ? serverTls : null, https ? config.tls().orElseThrow() : null);
                Undertow server = builder.build();
                try {
                    server.start();
                } catch (RuntimeException failure) {
                    server.stop();
                    throw new TransportException(url.toString(), "cannot listen on " + address + ": "
                            + HttpClientEndpoint.rootMessage(failure), failure);
                }
                started.add(server);
                InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
                urls.add(HttpClientEndpoint.withPort(url, bound.getPort()));
            }
        } finally {
            servers = List.copyOf(started);
        }
        boundUrls = List.copyOf(urls);
    }

    // ---------------------------------------------------------------- PeerEndpoint

    @Override
    public String transportId() {
        return HttpTransportProvider.ID;
    }

    @Override
    public List<URI> boundUrls() {
        return boundUrls;
    }

    @Override
    public void updatePeers(Map<Long, List<URI>> peers) {
        links.update(peers);
    }

    /**
     * @return false without queueing if {@code frame} is larger than {@code maxFrameBytes} (the
     *     receiver, configured alike, would refuse the batch holding it)
     */
    @Override
    public boolean send(long to, ByteBuffer frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.remaining() > config.maxFrameBytes()) {
            LOG.log(System.Logger.Level.WARNING, "frame of {0} bytes to member {1} dropped: larger than {2} bytes",
                    frame.remaining(), PeerWire.hex(to), config.maxFrameBytes());
            return false;
        }
        HttpPeerLink link = links.get(to);
        if (link != null && link.offer(frame)) {
            return true;
        }
        if (!isClosed()) {
            gate.unreachable(to);
        }
        return false;
    }

    @Override
    public CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(data, "data");
        HttpPeerLink link = links.get(to);
        if (link == null || isClosed()) {
            closeQuietly(data);
            String address = link == null ? "member " + PeerWire.hex(to) : link.currentUrl().toString();
            return CompletableFuture.failedFuture(new TransportException(address, link == null
                    ? "no peer URL known for member " + PeerWire.hex(to) : "peer endpoint closed", null));
        }
        byte[] messageBytes = new byte[message.remaining()];
        message.duplicate().get(messageBytes);
        SnapshotUpload upload = new SnapshotUpload(to, link.currentUrl(), messageBytes, data);
        outgoingSnapshots.add(upload);
        upload.result.whenComplete((ok, failure) -> outgoingSnapshots.remove(upload));
        try {
            snapshotSenders.execute(upload);
        } catch (RejectedExecutionException closing) {
            upload.abort("peer endpoint closed");
        }
        if (isClosed()) {
            upload.abort("peer endpoint closed"); // close() may have missed it
        }
        return upload.result;
    }

    @Override
    public void close() {
        if (!links.close()) {
            return;
        }
        new ArrayList<>(outgoingSnapshots).forEach(upload -> upload.abort("peer endpoint closed"));
        requests.failIncoming();
        servers.forEach(Undertow::stop);
        if (!gate.closeAndAwait(HANDLER_RETURN_SECONDS, TimeUnit.SECONDS)) {
            LOG.log(System.Logger.Level.WARNING, "a peer handler call was still running {0} s after close",
                    HANDLER_RETURN_SECONDS);
        }
        for (Runnable neverRun : snapshotSenders.shutdownNow()) {
            if (neverRun instanceof SnapshotUpload upload) {
                upload.abort("peer endpoint closed");
            }
        }
        try {
            if (!snapshotSenders.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "snapshot senders did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "http peer endpoint of member " + PeerWire.hex(config.memberId()) + " " + boundUrls;
    }

    // ---------------------------------------------------------------- for the links and tests

    PeerEndpointConfig config() {
        return config;
    }

    PeerHandlerGate gate() {
        return gate;
    }

    /** The last failure of the link to {@code peer}, for tests; null if none or the peer is unknown. */
    String lastFailure(long peer) {
        HttpPeerLink link = links.get(peer);
        return link == null ? null : link.lastFailure();
    }

    /** Requests this endpoint refused, for tests. */
    long refusedRequests() {
        return requests.refusedRequests();
    }

    /** A POST to {@code path} at {@code url} with the envelope for member {@code to}; not yet connected. */
    HttpURLConnection open(URI url, String path, long to) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.resolve(path).toURL().openConnection(Proxy.NO_PROXY);
        if (connection instanceof HttpsURLConnection https) {
            if (clientTls == null) {
                throw new IOException("peer URL " + url + " uses https but no peer TLS is configured");
            }
            https.setSSLSocketFactory(clientTls);
        }
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setUseCaches(false);
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setRequestProperty("Content-Type", "application/octet-stream");
        connection.setRequestProperty(PeerWire.CLUSTER, PeerWire.hex(config.clusterId()));
        connection.setRequestProperty(PeerWire.FROM, PeerWire.hex(config.memberId()));
        connection.setRequestProperty(PeerWire.TO, PeerWire.hex(to));
        return connection;
    }

    /**
     * Reads the answer of a peer request and leaves the connection for reuse.
     *
     * @throws PeerRefusedException with the peer's text, if the answer is not 204
     */
    static void expectNoContent(HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        if (status == 204 || status == 200) {
            HttpPeerLink.drain(connection.getInputStream());
            return;
        }
        String text = HttpPeerLink.drain(connection.getErrorStream()).strip();
        throw new PeerRefusedException(status, status + " " + (text.isEmpty() ? connection.getResponseMessage() : text));
    }

    private boolean isClosed() {
        return links.isClosed();
    }


    /** Sockets that speak only the configured TLS versions; HttpsURLConnection checks the host itself. */
    private static SSLSocketFactory clientSocketFactory(SSLContext context, io.cairn.spi.transport.TlsConfig tls) {
        SSLSocketFactory base = context.getSocketFactory();
        String[] protocols = TlsContexts.protocols(tls);
        return new ProtocolLimitedSocketFactory(base, protocols);
    }

    private static void closeQuietly(InputStream data) {
        try {
            data.close();
        } catch (IOException | RuntimeException ignored) {
            // the caller handed it over; nothing more to do with it
        }
    }

    /** One outgoing snapshot: a chunked POST written on a snapshot sender thread. */
    private final class SnapshotUpload implements Runnable {
        final long to;
        final URI url;
        final byte[] message;
        final InputStream data;
        final CompletableFuture<Void> result = new CompletableFuture<>();

        // Guarded by this.
        private HttpURLConnection connection;
        private boolean aborted;

        SnapshotUpload(long to, URI url, byte[] message, InputStream data) {
            this.to = to;
            this.url = url;
            this.message = message;
            this.data = data;
        }

        @Override
        public void run() {
            try (data) {
                HttpURLConnection opened = open(url, PeerWire.SNAPSHOT_PATH, to);
                synchronized (this) {
                    if (aborted) {
                        return;
                    }
                    connection = opened;
                }
                opened.setChunkedStreamingMode(64 * 1024);
                opened.setReadTimeout(SNAPSHOT_READ_TIMEOUT_MILLIS);
                try (OutputStream out = opened.getOutputStream()) {
                    byte[] length = new byte[4];
                    PeerWire.putLength(length, 0, message.length);
                    out.write(length);
                    out.write(message);
                    byte[] chunk = new byte[SNAPSHOT_CHUNK_BYTES];
                    int read;
                    while ((read = data.read(chunk)) >= 0) {
                        out.write(chunk, 0, read);
                    }
                }
                expectNoContent(opened);
                result.complete(null);
            } catch (IOException | RuntimeException failure) {
                String why = failure instanceof PeerRefusedException ? failure.getMessage()
                        : "snapshot stream failed: " + failure;
                result.completeExceptionally(new TransportException(url.toString(), why, failure));
                synchronized (this) {
                    if (connection != null) {
                        connection.disconnect(); // a half-written body must not be reused
                    }
                }
            }
        }

        void abort(String why) {
            HttpURLConnection cut;
            synchronized (this) {
                aborted = true;
                cut = connection;
            }
            result.completeExceptionally(new TransportException(url.toString(), why, null));
            if (cut != null) {
                cut.disconnect();
            } else {
                closeQuietly(data);
            }
        }
    }
}
