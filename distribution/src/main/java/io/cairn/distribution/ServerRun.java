package io.cairn.distribution;

import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.cairn.api.cluster.Member;
import io.cairn.api.maintenance.MoveLeaderRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * One run of a server member: start it from {@link ServerOptions}, say where it listens, serve until
 * SIGTERM or SIGINT, then close it gracefully.
 *
 * <p>Start failures (port in use, unusable data directory, ...) become one line on stderr and exit
 * code 1; the stack trace only with {@code --debug}.
 */
final class ServerRun {

    /** Records of the command itself: named "cairn", so a text line reads "... INFO  cairn: stopped". */
    private static final Logger LOG = LoggerFactory.getLogger("cairn");

    /** The line prefix tests and scripts wait for: the server is serving clients from then on. */
    static final String READY = "cairn: ready";

    private final ServerOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final Object closeLock = new Object();
    private CairnServer server;
    /** The {@code http} transport on {@code --listen-client-http-urls}; null when off or not in lib/. */
    private ClientEndpoint httpEndpoint;
    /** etcd's {@code --listen-metrics-urls}: /metrics and /health only; null when not asked for. */
    private ClientEndpoint metricsEndpoint;
    private boolean closed;

    /** The transport served on its own URLs, next to the client transports. */
    static final String HTTP_TRANSPORT = "http";

    ServerRun(ServerOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** Starts the member and blocks until it is told to stop; returns the exit code. */
    int run() {
        try {
            prepareDataDirectory();
        } catch (StartProblem e) {
            return startFailed(e.getMessage(), e);
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<String> stopSignal = new AtomicReference<>();
        // before the start, so a SIGTERM while replaying or electing still ends in a graceful close
        installSignalHandlers(stopRequested, stopSignal);
        try {
            server = builder().start();
        } catch (CairnServer.StartException e) {
            return startFailed(e.getMessage(), e);
        } catch (RuntimeException e) {
            return startFailed("unexpected failure: " + e, e);
        }
        try {
            startHttp();
        } catch (RuntimeException e) {
            closeQuietly();
            return startFailed("cannot start the http endpoint on " + options.listenClientHttpUrls() + ": "
                    + e.getMessage(), e);
        }
        try {
            startMetrics();
        } catch (RuntimeException e) {
            closeQuietly();
            return startFailed("cannot serve " + Flag.LISTEN_METRICS_URLS + " " + options.listenMetricsUrls() + ": "
                    + e.getMessage(), e);
        }
        // Other ways out (SIGHUP, System.exit from a library) still close the storage cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeQuietly, "cairn-shutdown-hook"));

        out.println(readyLine());
        out.flush();
        LOG.atInfo().addKeyValue("member", options.name()).addKeyValue("member-id", Long.toHexString(server.memberId()))
                .addKeyValue("cluster-id", Long.toHexString(server.clusterId()))
                .addKeyValue("client-urls", String.join(",", server.clientUrls().stream().map(URI::toString).toList()))
                .addKeyValue("version", Main.version()).log("ready to serve client requests");
        watchForFailure(stopRequested);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info(stopSignal.get() == null ? "stopping" : "SIG" + stopSignal.get() + " received, stopping");
        if (server.failure() == null) {
            handOverLeadership();
        }
        try {
            close();
        } catch (RuntimeException e) {
            if (options.debug()) {
                LOG.error("error while stopping: {}", e.getMessage(), e);
            } else {
                LOG.error("error while stopping: {}", e.getMessage());
            }
            return Main.EXIT_FAILED;
        }
        LOG.info("stopped");
        return server.failure() == null ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private CairnServer.Builder builder() {
        CairnServer.Builder builder = CairnServer.builder()
                .name(options.name())
                .dataDir(options.dataDir())
                .storage(options.storage())
                .clientUrls(options.listenClientUrls())
                .transports(options.transports())
                .peerUrls(options.initialAdvertisePeerUrls())
                .initialCluster(options.initialCluster())
                .initialClusterState(options.initialClusterState() == ServerOptions.ClusterState.NEW
                        ? CairnServer.InitialClusterState.NEW : CairnServer.InitialClusterState.EXISTING)
                .listenPeerUrls(options.listenPeerUrls())
                .peerTransport(options.peerTransport())
                .snapshotCount(options.snapshotCount())
                .clientTls(options.clientTls())
                .peerTls(options.peerTls())
                .initialClusterToken(options.initialClusterToken())
                .maxRequestBytes(options.maxRequestBytes())
                .maxTxnOps(options.maxTxnOps())
                .quotaBackendBytes(options.maintenance().quotaBackendBytes())
                .autoCompaction(options.maintenance().autoCompaction())
                .authTokenTtl(java.time.Duration.ofSeconds(options.authTokenTtlSeconds()))
                .maxConcurrentStreams(options.maxConcurrentStreams());
        try {
            builder.authToken(options.authToken());
        } catch (IllegalArgumentException e) {
            throw new CairnServer.StartException("--auth-token: " + e.getMessage(), e);
        }
        if (!options.advertiseClientUrls().isEmpty()) {
            builder.advertiseClientUrls(options.advertiseClientUrls());
        }
        if (options.faultInjectionFile() != null) {
            builder.faultInjectionFile(options.faultInjectionFile());
        }
        return builder;
    }

    /** A member that stopped by itself (removed from the cluster, storage failure) ends the process, as etcd's does. */
    private void watchForFailure(CountDownLatch stopRequested) {
        Thread.ofPlatform().daemon().name("cairn-failure-watch").start(() -> {
            while (stopRequested.getCount() > 0) {
                Throwable failure = server.failure();
                if (failure != null) {
                    LOG.error("the member stopped: {}", failure.getMessage());
                    stopRequested.countDown();
                    return;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * Serves etcd's HTTP APIs on {@code --listen-client-http-urls} with the {@code http} transport,
     * when it is on the module path: gRPC and HTTP do not share a port here (see the README).
     */
    private void startHttp() {
        if (options.listenClientHttpUrls().isEmpty()) {
            return;
        }
        Optional<TransportProvider> http = TransportProviders.all().stream()
                .filter(provider -> provider.id().equals(HTTP_TRANSPORT)).findFirst();
        if (http.isEmpty()) {
            LOG.warn("no http transport on the module path: etcd's HTTP APIs are off");
            return;
        }
        ClientEndpointConfig config = new ClientEndpointConfig(options.listenClientHttpUrls(), options.maxRequestBytes(),
                options.maxConcurrentStreams(), options.clientTls());
        httpEndpoint = http.get().startClientEndpoint(server.clientIdentities(), config);
    }

    /**
     * etcd's {@code --listen-metrics-urls}: {@code /metrics} and {@code /health} alone, from the first
     * transport that serves them (the {@code http} one), with the client TLS settings for https URLs.
     */
    private void startMetrics() {
        if (options.listenMetricsUrls().isEmpty()) {
            return;
        }
        TransportProvider provider = TransportProviders.all().stream().filter(TransportProvider::servesMetrics)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no transport on the module path serves them (the "
                        + HTTP_TRANSPORT + " transport does: put it in lib/)"));
        ClientEndpointConfig config = new ClientEndpointConfig(options.listenMetricsUrls(), options.maxRequestBytes(),
                options.maxConcurrentStreams(), options.clientTls());
        metricsEndpoint = provider.startMetricsEndpoint(server.clientIdentities(), config);
    }

    private String readyLine() {
        List<URI> urls = server.clientUrls();
        String httpUrls = httpEndpoint == null ? ""
                : ", HTTP on " + String.join(",", httpEndpoint.boundUrls().stream().map(URI::toString).toList());
        String metricsUrls = metricsEndpoint == null ? ""
                : ", metrics on " + String.join(",", metricsEndpoint.boundUrls().stream().map(URI::toString).toList());
        return READY + ": member " + options.name() + " (" + Long.toHexString(server.memberId()) + ") of cluster "
                + Long.toHexString(server.clusterId()) + ", storage " + options.storage() + " in "
                + options.dataDir() + ", clients on " + String.join(",", urls.stream().map(URI::toString).toList())
                + " (" + String.join(",", options.transports()) + ")" + httpUrls + metricsUrls + ", cairn " + Main.version();
    }

    /**
     * SIGTERM and SIGINT end the wait in {@link #run} so the close happens on the main thread and the
     * exit code is 0 (a plain shutdown hook would leave the JVM's 143). A second signal while
     * closing stops at once.
     */
    private void installSignalHandlers(CountDownLatch stopRequested, AtomicReference<String> stopSignal) {
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stopRequested.getCount() == 0) {
                        err.println("cairn: second SIG" + signal.getName() + ", stopping at once");
                        err.flush();
                        Runtime.getRuntime().halt(Main.EXIT_FAILED);
                    }
                    stopSignal.set(signal.getName());
                    stopRequested.countDown();
                });
            } catch (IllegalArgumentException e) {
                // The JVM keeps this signal for itself (for example with -Xrs): the shutdown hook closes.
            }
        }
    }

    /** How long a leader that stops may spend handing leadership over (etcd: about an election timeout or two). */
    static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(5);

    /**
     * etcd's TransferLeadership on stop: a leader of a cluster of several voters hands leadership to a
     * started voter first (MoveLeader), so the cluster does not wait an election timeout without a
     * leader. The most up-to-date follower first (heard from recently, the highest match index the
     * leader knows: it needs the fewest entries before it can campaign), then the others in turn
     * until one takes it; on failure the stop goes on (the others elect). Clients are still served
     * meanwhile.
     */
    private void handOverLeadership() {
        if (!server.isLeader()) {
            return;
        }
        long deadline = System.nanoTime() + HAND_OVER_TIMEOUT.toNanos();
        List<Member> candidates;
        try {
            List<Long> bestFirst = server.leadershipTransferees()
                    .get(HAND_OVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            candidates = server.client().cluster().memberList()
                    .get(HAND_OVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).members().stream()
                    .filter(m -> m.id() != server.memberId() && !m.learner() && !m.name().isEmpty()
                            && bestFirst.contains(m.id()))
                    .sorted(Comparator.comparingInt(m -> bestFirst.indexOf(m.id())))
                    .toList();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot hand leadership over: the member list or the followers' progress is unavailable: {}",
                    e.toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Member candidate : candidates) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !server.isLeader()) {
                break;
            }
            long started = System.nanoTime();
            try {
                server.client().maintenance().moveLeader(new MoveLeaderRequest(candidate.id()))
                        .get(left, TimeUnit.NANOSECONDS);
                LOG.atInfo().addKeyValue("to", candidate.name()).addKeyValue("to-id", Long.toHexString(candidate.id()))
                        .addKeyValue("took-ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                        .log("leadership handed over to {}", candidate.name());
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("cannot hand leadership over to {} ({}): {}", candidate.name(),
                        Long.toHexString(candidate.id()), // the reason as text: a Throwable last would be taken for a stack trace
                        String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!candidates.isEmpty() && server.isLeader()) {
            LOG.warn("stopping as the leader: no member took leadership within {} s; the others elect one",
                    HAND_OVER_TIMEOUT.toSeconds());
        }
    }

    private void close() {
        synchronized (closeLock) {
            if (!closed) {
                closed = true;
                try {
                    if (metricsEndpoint != null) {
                        metricsEndpoint.close();
                    }
                    if (httpEndpoint != null) {
                        httpEndpoint.close();
                    }
                } finally {
                    if (server != null) {
                        server.close();
                    }
                }
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.error("error while stopping: {}", e.getMessage());
        }
    }

    private int startFailed(String message, Throwable cause) {
        String reason = message != null && message.startsWith("cannot start: ")
                ? message.substring("cannot start: ".length())
                : message;
        err.println("cairn: cannot start: " + reason);
        if (options.debug()) {
            cause.printStackTrace(err);
        }
        err.flush();
        return Main.EXIT_FAILED;
    }

    /**
     * Clear messages for data directory problems that need no storage engine to see: not a
     * directory, cannot be created, not writable; and {@code --initial-cluster-state existing}
     * without a member's data.
     */
    private void prepareDataDirectory() throws StartProblem {
        Path dir = options.dataDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StartProblem("data directory " + dir + " is not a directory");
        }
        if (options.initialClusterState() == ServerOptions.ClusterState.EXISTING && isEmptyOrMissing(dir)
                && options.initialCluster().size() < 2) {
            throw new StartProblem("--initial-cluster-state existing, but data directory " + dir + " holds no"
                    + " member's data and --initial-cluster names no other member to join"
                    + " (use --initial-cluster-state new to start a new one-member cluster)");
        }
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw new StartProblem("cannot create data directory " + dir + ": permission denied on " + e.getFile());
        } catch (FileAlreadyExistsException e) {
            throw new StartProblem("cannot create data directory " + dir + ": " + e.getFile() + " is not a directory");
        } catch (IOException e) {
            throw new StartProblem("cannot create data directory " + dir + ": " + e);
        }
        if (!Files.isWritable(dir)) {
            throw new StartProblem("data directory " + dir + " is not writable");
        }
    }

    private static boolean isEmptyOrMissing(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException | UncheckedIOException e) {
            return false; // let the server say what is wrong with it
        }
    }

    /** A start failure found before the server is built. */
    private static final class StartProblem extends Exception {
        StartProblem(String message) {
            super(message);
        }
    }
}
