package io.cairn.transport.grpc;

import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.PeerHandlerGate;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.peer.PeerLinks;
import io.cairn.transport.grpc.peer.StreamHeader;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running gRPC peer endpoint: one grpc-java server per listen URL serving {@link PeerService},
 * one {@link PeerLink} per peer for frames, and a {@link SnapshotTransfer} per outgoing snapshot.
 *
 * <h2>Threads</h2>
 * A bounded set, all owned here and stopped by {@link #close()}: {@link #EVENT_LOOP_THREADS} Netty
 * event loops shared by the servers and every channel; {@link #CALLBACK_THREADS} threads for gRPC's
 * callbacks and the links' pumps (handler calls for frames run there, which is why
 * {@link PeerHandler#receive} must not block); one timer for backoffs; up to
 * {@link #MAX_OUTGOING_SNAPSHOTS} threads reading outgoing snapshots (more wait their turn) and up to
 * {@link #MAX_INCOMING_SNAPSHOTS} running incoming ones (more are refused, and Raft retries).
 */
final class GrpcPeerEndpoint implements PeerEndpoint {

    static final int EVENT_LOOP_THREADS = 2;
    static final int CALLBACK_THREADS = 4;
    static final int MAX_OUTGOING_SNAPSHOTS = 4;
    static final int MAX_INCOMING_SNAPSHOTS = 4;

    /** HTTP/2 flow-control window of each incoming stream and connection. */
    static final int FLOW_CONTROL_WINDOW_BYTES = 1 << 20;

    /** Room for the envelope and protobuf framing around the largest frame, batch or chunk. */
    private static final int MESSAGE_OVERHEAD_BYTES = 64 * 1024;

    /** How long close() waits for a snapshot handler to return after its data failed. */
    private static final long HANDLER_RETURN_SECONDS = 30;

    private static final System.Logger LOG = System.getLogger(GrpcPeerEndpoint.class.getName());

    private final PeerEndpointConfig config;
    private final PeerHandlerGate gate;
    private final EventLoopGroup eventLoops;
    private final ThreadPoolExecutor callbacks;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor snapshotSenders;
    private final ThreadPoolExecutor snapshotReceivers;
    private final PeerService service;
    private final PeerLinks<PeerLink> links;
    private final Set<SnapshotTransfer> outgoingSnapshots = ConcurrentHashMap.newKeySet();
    private final StreamHeader snapshotEnvelopeTemplate;
    /** For dialing {@code https} peer URLs; null without TLS. */
    private final ChannelCredentials clientTls;
    /** For the {@code https} listen URLs; null without TLS. */
    private final ServerCredentials serverTls;

    // Set once by start().
    private List<Server> servers = List.of();
    private List<URI> boundUrls = List.of();

    private GrpcPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
        this.config = config;
        // TLS files first: a bad one fails the start before any thread or socket exists
        this.serverTls = config.tls().map(tls -> NettySslContextServerCredentials.create(TlsContexts.server(tls)))
                .orElse(null);
        this.clientTls = config.tls().map(tls -> NettySslContextChannelCredentials.create(TlsContexts.client(tls)))
                .orElse(null);
        this.links = new PeerLinks<>(config.memberId(), clientTls != null, (id, urls) -> new PeerLink(this, id, urls));
        this.gate = new PeerHandlerGate(handler);
        String name = "cairn-peer-" + Long.toHexString(config.memberId());
        this.eventLoops = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, threads(name + "-netty"),
                NioIoHandler.newFactory());
        this.callbacks = new ThreadPoolExecutor(CALLBACK_THREADS, CALLBACK_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-callback"));
        this.callbacks.allowCoreThreadTimeOut(true);
        this.timer = new ScheduledThreadPoolExecutor(1, threads(name + "-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.snapshotSenders = new ThreadPoolExecutor(MAX_OUTGOING_SNAPSHOTS, MAX_OUTGOING_SNAPSHOTS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-snapshot-out"));
        this.snapshotSenders.allowCoreThreadTimeOut(true);
        this.snapshotReceivers = new ThreadPoolExecutor(0, MAX_INCOMING_SNAPSHOTS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads(name + "-snapshot-in"));
        this.snapshotEnvelopeTemplate = StreamHeader.newBuilder().setClusterId(config.clusterId())
                .setSenderId(config.memberId()).build();
        this.service = new PeerService(this);
    }

    static GrpcPeerEndpoint start(PeerEndpointConfig config, PeerHandler handler) {
        GrpcPeerEndpoint endpoint = new GrpcPeerEndpoint(config, handler);
        try {
            endpoint.listen();
        } catch (RuntimeException failure) {
            endpoint.close();
            throw failure;
        }
        return endpoint;
    }

    private void listen() {
        int maxInbound = (int) Math.min(Integer.MAX_VALUE, (long) Math.max(config.maxFrameBytes(),
                Math.max(PeerLink.BATCH_BYTES, SnapshotTransfer.CHUNK_BYTES)) + MESSAGE_OVERHEAD_BYTES);
        List<Server> started = new ArrayList<>();
        List<URI> urls = new ArrayList<>();
        try {
            for (URI url : config.listenUrls()) {
                InetSocketAddress address = GrpcClientEndpoint.resolve(url);
                Server server = NettyServerBuilder.forAddress(address, GrpcClientEndpoint.credentials(url, serverTls))
                        .bossEventLoopGroup(eventLoops)
                        .workerEventLoopGroup(eventLoops)
                        .channelType(NioServerSocketChannel.class)
                        .executor(callbacks)
                        .maxInboundMessageSize(maxInbound)
                        // a fixed window (no growth by bandwidth probing) bounds what a sender has in
                        // flight towards a member that reads slowly, snapshots included
                        .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                        // peers ping every KEEPALIVE_SECONDS to notice a dead connection; allow it
                        .permitKeepAliveTime(KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS)
                        .permitKeepAliveWithoutCalls(true)
                        .addService(service)
                        .build();
                try {
                    server.start();
                } catch (IOException | RuntimeException failure) {
                    throw new TransportException(url.toString(), "cannot listen on " + address + ": "
                            + GrpcClientEndpoint.rootMessage(failure), failure);
                }
                started.add(server);
                urls.add(GrpcClientEndpoint.withPort(url, GrpcClientEndpoint.boundAddress(server, address).getPort()));
            }
        } finally {
            servers = List.copyOf(started);
        }
        boundUrls = List.copyOf(urls);
    }

    /** Keepalive pings on idle peer connections, so a peer that vanished without a FIN is noticed. */
    private static final int KEEPALIVE_SECONDS = 10;

    // ---------------------------------------------------------------- PeerEndpoint

    @Override
    public String transportId() {
        return GrpcTransportProvider.ID;
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
     *     receiver, configured alike, would refuse it and reset the stream, losing the frames behind it)
     */
    @Override
    public boolean send(long to, ByteBuffer frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.remaining() > config.maxFrameBytes()) {
            LOG.log(System.Logger.Level.WARNING, "frame of {0} bytes to member {1} dropped: larger than {2} bytes",
                    frame.remaining(), Long.toHexString(to), config.maxFrameBytes());
            return false;
        }
        PeerLink link = links.get(to);
        if (link == null) {
            if (!isClosed()) {
                gate.unreachable(to);
            }
            return false;
        }
        if (link.offer(frame)) {
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
        PeerLink link = links.get(to);
        if (link == null || isClosed()) {
            closeQuietly(data);
            String address = link == null ? "member " + Long.toHexString(to) : link.currentUrl().toString();
            return CompletableFuture.failedFuture(new TransportException(address, link == null
                    ? "no peer URL known for member " + Long.toHexString(to) : "peer endpoint closed", null));
        }
        URI url = link.currentUrl();
        StreamHeader envelope = snapshotEnvelopeTemplate.toBuilder().setRecipientId(to).build();
        SnapshotTransfer transfer = new SnapshotTransfer(to, url, envelope, message, data, newChannel(url));
        outgoingSnapshots.add(transfer);
        transfer.result().whenComplete((ok, failure) -> outgoingSnapshots.remove(transfer));
        try {
            snapshotSenders.execute(transfer);
        } catch (RejectedExecutionException closing) {
            transfer.abort("peer endpoint closed");
            transfer.channel().shutdownNow();
            transfer.discardData();
        }
        if (isClosed()) {
            transfer.abort("peer endpoint closed"); // close() may have missed it
        }
        return transfer.result();
    }

    @Override
    public void close() {
        if (!links.close()) {
            return;
        }
        List<SnapshotTransfer> transfers = new ArrayList<>(outgoingSnapshots);
        transfers.forEach(transfer -> transfer.abort("peer endpoint closed"));
        service.failIncomingSnapshots("peer endpoint closed");
        servers.forEach(Server::shutdownNow);
        boolean interrupted = Thread.interrupted();
        for (Server server : servers) {
            try {
                if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "peer server {0} did not stop within 10 s", server);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (!gate.closeAndAwait(HANDLER_RETURN_SECONDS, TimeUnit.SECONDS)) {
            LOG.log(System.Logger.Level.WARNING, "a peer handler call was still running {0} s after close",
                    HANDLER_RETURN_SECONDS);
        }
        for (Runnable neverRun : snapshotSenders.shutdownNow()) {
            if (neverRun instanceof SnapshotTransfer transfer) {
                transfer.discardData();
            }
        }
        transfers.forEach(transfer -> transfer.channel().shutdownNow());
        snapshotReceivers.shutdownNow();
        timer.shutdownNow();
        callbacks.shutdown();
        try {
            snapshotSenders.awaitTermination(10, TimeUnit.SECONDS);
            snapshotReceivers.awaitTermination(10, TimeUnit.SECONDS);
            callbacks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        callbacks.shutdownNow();
        eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "grpc peer endpoint of member " + Long.toHexString(config.memberId()) + " " + boundUrls;
    }

    // ---------------------------------------------------------------- for the links, transfers and service

    PeerEndpointConfig config() {
        return config;
    }

    PeerHandlerGate gate() {
        return gate;
    }

    /** The last stream failure of the link to {@code peer}, for tests; null if none or the peer is unknown. */
    String lastFailure(long peer) {
        PeerLink link = links.get(peer);
        return link == null ? null : link.lastFailure();
    }

    /** Streams this endpoint refused, for tests. */
    long refusedStreams() {
        return service.refusedStreams();
    }

    /** Runs {@code task} on a callback thread; false if the endpoint is closing. */
    boolean execute(Runnable task) {
        try {
            callbacks.execute(task);
            return true;
        } catch (RejectedExecutionException closing) {
            return false;
        }
    }

    void schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            timer.schedule(() -> execute(task), delay, unit);
        } catch (RejectedExecutionException closing) {
            // closed: nothing to retry
        }
    }

    /** @throws RejectedExecutionException if {@link #MAX_INCOMING_SNAPSHOTS} are running already or the endpoint is closing */
    void receiveSnapshotOnItsOwnThread(Runnable receive) {
        snapshotReceivers.execute(receive);
    }

    ManagedChannel newChannel(URI url) {
        ChannelCredentials credentials = "https".equals(url.getScheme()) ? clientTls : InsecureChannelCredentials.create();
        return NettyChannelBuilder.forAddress(url.getHost(), url.getPort(), credentials)
                .eventLoopGroup(eventLoops)
                .channelType(NioSocketChannel.class)
                .executor(callbacks)
                .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS)
                // the retries are the link's: a failed stream is reported and re-made with its backoff
                .disableRetry()
                .build();
    }

    /** Waits briefly for a channel shut down by a link, so that close() leaves no connection behind. */
    void awaitChannel(ManagedChannel channel) {
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isClosed() {
        return links.isClosed();
    }


    private static void closeQuietly(InputStream data) {
        try {
            data.close();
        } catch (IOException | RuntimeException ignored) {
            // the caller handed it over; nothing more to do with it
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
