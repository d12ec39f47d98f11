package io.cairn.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.ClientIdentities;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Tests the transport kit itself: runs {@link TransportVerification}'s rules of one section on
 * deliberately broken wrappers of the real transports (through JUnit's {@link EngineTestKit}) and
 * checks that the rule guarding the broken promise fails with a message naming the transport and the
 * problem, and that the section's other rules pass (or are listed as allowed to fail, where one fault
 * breaks several promises).
 *
 * <p>The broken verification classes are package-private nested classes: surefire does not run them
 * on their own, only this test does.
 */
class BrokenTransportTest {

    @Test
    void aTransportThatReordersFramesFailsTheOrderRule() {
        requireFailure(ReordersFrames.class, "T7", "required_specT7_1_framesArriveWholeAndInOrderPerPeer",
                List.of("transport 'grpc'", "must arrive in order, each once"),
                Set.of("required_specT7_5_framesFlowAgainAfterTheReceiverRestarts"));
    }

    @Test
    void aTransportThatNeverDropsFailsTheBoundedMemoryRule() {
        requireFailure(NeverDrops.class, "T7", "required_specT7_4_aDeadPeerCostsBoundedMemory",
                List.of("transport 'http'", "for a peer that never reads", "keep memory bounded"),
                Set.of("required_specT7_2_aFrameForAnUnknownMemberIsDropped", "required_specT7_3_aFrameOverTheLimitIsDroppedAtOnce"));
    }

    @Test
    void aTransportThatTruncatesSnapshotsFailsTheSnapshotRule() {
        requireFailure(TruncatesSnapshots.class, "T8", "required_specT8_1_aSnapshotArrivesWhole",
                List.of("transport 'http'", "must arrive whole"), Set.of());
    }

    @Test
    void aTransportThatLosesEtcdsErrorsFailsTheErrorRule() {
        requireFailure(LosesErrors.class, "T3", "required_specT3_1_errorsCarryEtcdsCodesAndMessages",
                List.of("transport 'http'", "Range of an empty key answered UNKNOWN: internal error",
                        "expected INVALID_ARGUMENT: etcdserver: key is not provided"), Set.of());
    }

    @Test
    void aTransportThatDropsTheTokenFailsTheAuthRule() {
        requireFailure(DropsTokens.class, "T10", "required_specT10_3_aTokenActsAsItsUser",
                List.of("transport 'grpc'", "must act as that user", "alice's Put in her prefix=INVALID_ARGUMENT: etcdserver: user name is empty"),
                Set.of("required_specT10_1_authAdministrationRoundTrips", "required_specT10_2_callsWithoutAValidTokenAreRefused",
                        "required_specT10_4_aWatchOutsideThePermissionIsRefusedAsEtcdRefusesIt"));
    }

    /** Runs the rules of {@code section} (such as "T7") on {@code broken} and checks the outcome. */
    private static void requireFailure(Class<? extends TransportVerification> broken, String section, String rule,
            List<String> messageParts, Set<String> mayAlsoFail) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (Method method : TransportVerificationRules.class.getMethods()) {
            if (method.getName().contains("_spec" + section + "_")) {
                selectors.add(selectMethod(broken, method.getName()));
            }
        }
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(DiscoverySelector[]::new))
                .execute();
        Map<String, Throwable> failures = new TreeMap<>();
        for (Event event : results.testEvents().failed().list()) {
            String method = event.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
                    .map(source -> ((MethodSource) source).getMethodName()).orElse(event.getTestDescriptor().getDisplayName());
            failures.put(method, event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null));
        }
        Throwable failure = failures.get(rule);
        if (failure == null) {
            fail("the kit did not fail rule " + rule + " on " + broken.getSimpleName() + "; rules that failed: " + failures.keySet());
        }
        String message = String.valueOf(failure.getMessage());
        for (String part : messageParts) {
            assertTrue(message.contains(part), "the failure of " + rule + " on " + broken.getSimpleName() + " must say '" + part
                    + "', but said: " + message);
        }
        Set<String> unexpected = new TreeSet<>(failures.keySet());
        unexpected.remove(rule);
        unexpected.removeAll(mayAlsoFail);
        assertTrue(unexpected.isEmpty(), broken.getSimpleName() + " also failed rules unrelated to its fault: " + unexpected
                + "; first message: " + (unexpected.isEmpty() ? "" : failures.get(unexpected.iterator().next())));
    }

    // ---------------------------------------------------------------- broken transports

    /** A real transport with a fault wrapped around it; it keeps the real one's id and wire. */
    abstract static class Broken extends TransportVerification implements TransportProvider {
        final TransportProvider real = TransportProviders.byId(realId());

        String realId() {
            return "http";
        }

        @Override
        protected TransportProvider provider() {
            return this;
        }

        @Override
        protected List<TransportProvider> discoveredProviders() {
            return List.of(this);
        }

        @Override
        protected EtcdWire connect(URI url) {
            return realId().equals("grpc") ? new GrpcWire(url) : new HttpGatewayWire(url);
        }

        @Override
        public String id() {
            return real.id();
        }

        @Override
        public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
            return real.startClientEndpoint(cairn, config);
        }

        @Override
        public ClientEndpoint startClientEndpoint(ClientIdentities identities, ClientEndpointConfig config) {
            return real.startClientEndpoint(identities, config);
        }

        @Override
        public boolean carriesPeerTraffic() {
            return true;
        }

        @Override
        public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
            return real.startPeerEndpoint(config, handler);
        }
    }

    /** Delivers frames in pairs swapped: the second of each pair before the first. */
    static class ReordersFrames extends Broken {
        @Override
        String realId() {
            return "grpc";
        }

        @Override
        public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
            Map<Long, ByteBuffer> held = new java.util.concurrent.ConcurrentHashMap<>();
            return real.startPeerEndpoint(config, new PeerHandler() {
                @Override
                public void receive(long from, ByteBuffer frame) {
                    ByteBuffer first = held.remove(from);
                    if (first == null) {
                        held.put(from, frame);
                        return;
                    }
                    handler.receive(from, frame);
                    handler.receive(from, first);
                }

                @Override
                public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
                    handler.receiveSnapshot(from, message, data);
                }

                @Override
                public void unreachable(long peer) {
                    handler.unreachable(peer);
                }
            });
        }
    }

    /** Never drops a frame: what the real transport refuses waits in an unbounded backlog instead. */
    static class NeverDrops extends Broken {
        @Override
        public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
            PeerEndpoint endpoint = real.startPeerEndpoint(config, handler);
            ConcurrentLinkedQueue<ByteBuffer> backlog = new ConcurrentLinkedQueue<>();
            return new ForwardingPeerEndpoint(endpoint) {
                @Override
                public boolean send(long to, ByteBuffer frame) {
                    if (!endpoint.send(to, frame)) {
                        backlog.add(frame);
                    }
                    return true;
                }
            };
        }
    }

    /** Sends only the first half of a snapshot's data, and reports success. */
    static class TruncatesSnapshots extends Broken {
        @Override
        public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
            PeerEndpoint endpoint = real.startPeerEndpoint(config, handler);
            return new ForwardingPeerEndpoint(endpoint) {
                @Override
                public CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data) {
                    byte[] half;
                    try (data) {
                        byte[] all = data.readAllBytes();
                        half = java.util.Arrays.copyOf(all, all.length / 2);
                    } catch (IOException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    return endpoint.sendSnapshot(to, message, new java.io.ByteArrayInputStream(half));
                }
            };
        }
    }

    /**
     * Reads no credentials: serves every call as anonymous, as a transport that never passes the
     * token on (the SPI's default for a transport without auth).
     */
    static class DropsTokens extends Broken {
        @Override
        String realId() {
            return "grpc";
        }

        @Override
        public ClientEndpoint startClientEndpoint(ClientIdentities identities, ClientEndpointConfig config) {
            return real.startClientEndpoint(identities.anonymous(), config);
        }
    }

    /** Answers every failed call with UNKNOWN "internal error" instead of etcd's error. */
    static class LosesErrors extends Broken {
        @Override
        public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
            return real.startClientEndpoint(losingErrors(Cairn.class, cairn), config);
        }

        @Override
        public ClientEndpoint startClientEndpoint(ClientIdentities identities, ClientEndpointConfig config) {
            return startClientEndpoint(identities.anonymous(), config);
        }

        @SuppressWarnings("unchecked")
        private static <T> T losingErrors(Class<T> type, T target) {
            InvocationHandler handler = (proxy, method, args) -> {
                Object result;
                try {
                    result = method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof CompletableFuture<?> future) {
                    return future.handle((value, failure) -> {
                        if (failure != null) {
                            throw new CompletionException(new CairnException(StatusCode.UNKNOWN, "internal error"));
                        }
                        return value;
                    });
                }
                Class<?> returned = method.getReturnType();
                if (returned.isInterface() && returned.getPackageName().startsWith("io.cairn.api") && result != null) {
                    return losingErrors((Class<Object>) returned, result);
                }
                return result;
            };
            return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        }
    }

    /** A peer endpoint that forwards every call, for the broken wrappers to override one. */
    private static class ForwardingPeerEndpoint implements PeerEndpoint {
        private final PeerEndpoint delegate;

        ForwardingPeerEndpoint(PeerEndpoint delegate) {
            this.delegate = delegate;
        }

        @Override
        public String transportId() {
            return delegate.transportId();
        }

        @Override
        public List<URI> boundUrls() {
            return delegate.boundUrls();
        }

        @Override
        public void updatePeers(Map<Long, List<URI>> peers) {
            delegate.updatePeers(peers);
        }

        @Override
        public boolean send(long to, ByteBuffer frame) {
            return delegate.send(to, frame);
        }

        @Override
        public CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data) {
            return delegate.sendSnapshot(to, message, data);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
