package io.cairn.transport.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportException;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code grpc} transport found by id, serving {@link FakeCairn} on 127.0.0.1, called by jetcd, an
 * etcd client no one here wrote.
 */
class GrpcEndpointJetcdTest {

    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final long TIMEOUT_SECONDS = 10;

    private FakeCairn cairn;
    private ClientEndpoint endpoint;
    private Client client;

    @BeforeEach
    void start() {
        cairn = new FakeCairn();
        TransportProvider grpc = TransportProviders.byId("grpc");
        endpoint = grpc.startClientEndpoint(cairn, ClientEndpointConfig.of(URI.create("http://127.0.0.1:0"))
                .withMaxRequestBytes(MAX_REQUEST_BYTES));
        client = Client.builder()
                .endpoints(endpoint.boundUrls().toArray(URI[]::new))
                .retryMaxDuration(Duration.ofSeconds(2))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close(Duration.ofSeconds(2));
        cairn.close();
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** What a jetcd user sees of a failed call: the gRPC code and the message. */
    record Seen(String code, String message) {}

    /**
     * The failure jetcd reported for a call. jetcd hands some errors over as its EtcdException and
     * others (put, for one) as grpc-java's StatusRuntimeException; both show the code and the
     * description the server sent.
     */
    private static Seen failure(java.util.concurrent.CompletableFuture<?> future) {
        var thrown = assertThrows(ExecutionException.class, () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return switch (thrown.getCause()) {
            case EtcdException etcd -> new Seen(etcd.getErrorCode().name(), etcd.getMessage());
            case io.grpc.StatusRuntimeException status ->
                    new Seen(status.getStatus().getCode().name(), status.getStatus().getDescription());
            default -> throw new AssertionError("unexpected failure", thrown.getCause());
        };
    }

    @Test
    void theEndpointReportsTheRealPortItBound() {
        assertEquals("grpc", endpoint.transportId());
        int port = endpoint.boundAddresses().get(0).getPort();
        assertNotEquals(0, port);
        assertEquals(URI.create("http://127.0.0.1:" + port), endpoint.boundUrls().get(0));
        assertEquals("127.0.0.1", endpoint.boundAddresses().get(0).getAddress().getHostAddress());
    }

    @Test
    void anUnknownTransportIdListsTheIdsFound() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> TransportProviders.byId("carrier-pigeon"));
        assertEquals("unknown transport provider 'carrier-pigeon'; found on the module path: grpc", unknown.getMessage());
    }

    @Test
    void aPortInUseIsAnErrorNamingTheAddress() {
        URI taken = endpoint.boundUrls().get(0);
        var failure = assertThrows(TransportException.class, () -> TransportProviders.byId("grpc")
                .startClientEndpoint(cairn, ClientEndpointConfig.of(taken)));
        assertEquals(taken.toString(), failure.address());
        assertTrue(failure.getMessage().startsWith(taken + ": cannot listen on"), failure.getMessage());
    }

    @Test
    void closeWaitsForTheGraceThenCancelsOpenStreamsAndFreesThePort() throws Exception {
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        Watch.Watcher watcher = client.getWatchClient().watch(bytes("w"), Watch.listener(r -> {}, errors::add));
        try {
            await(client.getKVClient().put(bytes("w"), bytes("1"))); // the watch stream is open by now
            long started = System.nanoTime();
            boolean clean = endpoint.close(Duration.ofMillis(300));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertFalse(clean, "an open watch stream does not finish by itself, so it was cancelled");
            assertTrue(tookMillis >= 250, "waited for the grace period first: " + tookMillis + " ms");
            assertFalse(endpoint.close(Duration.ZERO), "a second close reports the first's result");

            URI sameAddress = endpoint.boundUrls().get(0);
            try (ClientEndpoint again = TransportProviders.byId("grpc").startClientEndpoint(cairn,
                    ClientEndpointConfig.of(sameAddress))) {
                assertEquals(sameAddress, again.boundUrls().get(0), "the port was released");
            }
        } finally {
            watcher.close();
        }
    }

    @Test
    void putGetDeleteAndTxnThroughJetcd() throws Exception {
        var kv = client.getKVClient();
        var put = await(kv.put(bytes("/config/a"), bytes("1")));
        assertEquals(2, put.getHeader().getRevision());
        assertEquals(FakeCairn.CLUSTER_ID, put.getHeader().getClusterId());
        assertEquals(FakeCairn.MEMBER_ID, put.getHeader().getMemberId());
        await(kv.put(bytes("/config/b"), bytes("2")));
        var overwritten = await(kv.put(bytes("/config/a"), bytes("3"), PutOption.builder().withPrevKV().build()));
        assertTrue(overwritten.hasPrevKv());
        assertEquals("1", overwritten.getPrevKv().getValue().toString(UTF_8));

        var all = await(kv.get(bytes("/config/"), GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.DESCEND).build()));
        assertEquals(2, all.getCount());
        assertEquals(List.of("/config/a", "/config/b"), all.getKvs().stream().map(k -> k.getKey().toString(UTF_8)).toList());
        assertEquals(2, all.getKvs().get(0).getVersion());
        var limited = await(kv.get(bytes("/config/"), GetOption.builder().isPrefix(true).withLimit(1).build()));
        assertTrue(limited.isMore());
        assertEquals(1, limited.getKvs().size());

        TxnResponse txn = await(kv.txn()
                .If(new Cmp(bytes("/config/a"), Cmp.Op.EQUAL, CmpTarget.value(bytes("3"))),
                        new Cmp(bytes("/config/b"), Cmp.Op.GREATER, CmpTarget.version(0)))
                .Then(Op.put(bytes("/config/c"), bytes("from-txn"), PutOption.DEFAULT),
                        Op.get(bytes("/config/a"), GetOption.DEFAULT),
                        Op.txn(new Cmp[] {new Cmp(bytes("/config/zz"), Cmp.Op.EQUAL, CmpTarget.version(0))},
                                new Op[] {Op.delete(bytes("/config/b"), DeleteOption.DEFAULT)}, new Op[0]))
                .Else(Op.delete(bytes("/config/a"), DeleteOption.DEFAULT))
                .commit());
        assertTrue(txn.isSucceeded());
        assertEquals(5, txn.getHeader().getRevision());
        assertEquals(1, txn.getPutResponses().size());
        assertEquals("3", txn.getGetResponses().get(0).getKvs().get(0).getValue().toString(UTF_8));
        assertEquals(1, txn.getTxnResponses().size());
        assertEquals(1, txn.getTxnResponses().get(0).getDeleteResponses().get(0).getDeleted());

        var deleted = await(kv.delete(bytes("/config/"), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));
        assertEquals(2, deleted.getDeleted());
        assertEquals(2, deleted.getPrevKvs().size());
        assertEquals(0, await(kv.get(bytes("/config/"), GetOption.builder().isPrefix(true).build())).getCount());
    }

    @Test
    void etcdErrorsReachJetcdWithEtcdsMessages() throws Exception {
        var kv = client.getKVClient();
        var emptyKey = failure(kv.put(ByteSequence.EMPTY, bytes("v")));
        assertEquals("etcdserver: key is not provided", emptyKey.message());
        assertEquals("INVALID_ARGUMENT", emptyKey.code());

        for (int i = 0; i < 3; i++) {
            await(kv.put(bytes("k"), bytes("v" + i)));
        }
        await(kv.compact(3));
        var compacted = failure(kv.get(bytes("k"), GetOption.builder().withRevision(2).build()));
        assertEquals("etcdserver: mvcc: required revision has been compacted", compacted.message());
        assertEquals("OUT_OF_RANGE", compacted.code());

        var future = failure(kv.get(bytes("k"), GetOption.builder().withRevision(99).build()));
        assertEquals("etcdserver: mvcc: required revision is a future revision", future.message());

        var noLease = failure(client.getLeaseClient().revoke(0x4242));
        assertEquals("etcdserver: requested lease not found", noLease.message());
        assertEquals("NOT_FOUND", noLease.code());

        // A service the Cairn served does not implement answers with its message, not a hung call.
        var lock = failure(client.getLockClient().lock(bytes("L"), 0));
        assertEquals("UNIMPLEMENTED", lock.code());
        assertEquals("Lock is not in FakeCairn", lock.message());
    }

    @Test
    void requestsOverTheLimitGetEtcdsErrorAndTheServerKeepsServing() throws Exception {
        var kv = client.getKVClient();
        // Over --max-request-bytes but within gRPC's allowance: etcd's own error.
        var tooLarge = failure(kv.put(bytes("big"), ByteSequence.from(new byte[MAX_REQUEST_BYTES + 1])));
        assertEquals("etcdserver: request is too large", tooLarge.message());
        assertEquals("INVALID_ARGUMENT", tooLarge.code());

        // Over the gRPC message limit (request bytes + 512 KiB): gRPC refuses it, as grpc-go does for etcd.
        var huge = failure(kv.put(bytes("huge"), ByteSequence.from(new byte[MAX_REQUEST_BYTES + 600 * 1024])));
        assertEquals("RESOURCE_EXHAUSTED", huge.code());

        assertEquals(2, await(kv.put(bytes("small"), bytes("fits"))).getHeader().getRevision());
        assertEquals(0, await(kv.get(bytes("big"))).getCount());
    }

    @Test
    void garbageOnThePortDoesNotStopTheServer() throws Exception {
        InetSocketAddress address = endpoint.boundAddresses().get(0);
        byte[] garbage = new byte[64 * 1024];
        new Random(42).nextBytes(garbage);
        for (byte[] payload : List.of(garbage, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8),
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0012\u0004garbage-frame".getBytes(UTF_8))) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 5_000);
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                try {
                    out.write(payload);
                    out.flush();
                } catch (java.io.IOException closedEarly) {
                    // the server may hang up before everything is written; that is the point
                }
                InputStream in = socket.getInputStream();
                byte[] sink = new byte[4096];
                try {
                    while (in.read(sink) >= 0) {
                        // drain until the server closes the connection
                    }
                } catch (java.io.IOException reset) {
                    // a reset is a close too
                }
            }
        }
        assertEquals(2, await(client.getKVClient().put(bytes("still"), bytes("serving"))).getHeader().getRevision());
    }

    @Test
    void aWatchReceivesEventsAndIsCancelled() throws Exception {
        var kv = client.getKVClient();
        await(kv.put(bytes("/w/before"), bytes("0"))); // revision 2
        BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        Watch.Watcher watcher = client.getWatchClient().watch(bytes("/w/"),
                WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(2).build(),
                Watch.listener(responses::add, errors::add));
        try {
            WatchResponse replayed = responses.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(replayed, "the event at the start revision is replayed");
            assertEquals("/w/before", replayed.getEvents().get(0).getKeyValue().getKey().toString(UTF_8));

            await(kv.put(bytes("/w/a"), bytes("1")));
            await(kv.put(bytes("/other"), bytes("x")));
            await(kv.put(bytes("/w/a"), bytes("2")));
            await(kv.delete(bytes("/w/a")));

            List<WatchEvent> events = new java.util.ArrayList<>();
            while (events.size() < 3) {
                WatchResponse next = responses.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(next, "events so far: " + events);
                events.addAll(next.getEvents());
            }
            assertEquals(List.of(WatchEvent.EventType.PUT, WatchEvent.EventType.PUT, WatchEvent.EventType.DELETE),
                    events.stream().map(WatchEvent::getEventType).toList());
            assertEquals("1", events.get(1).getPrevKV().getValue().toString(UTF_8));
            assertEquals(6, events.get(2).getKeyValue().getModRevision());
        } finally {
            watcher.close();
        }
        // Closed: the server cancels the watcher, so later writes are not sent on any stream.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!cairn.watchStreams().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(cairn.watchStreams().isEmpty(), "the api watch stream is closed when jetcd cancels");
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
    }

    @Test
    void aWatchOnACompactedRevisionIsCancelledWithTheCompactRevision() throws Exception {
        var kv = client.getKVClient();
        for (int i = 0; i < 4; i++) {
            await(kv.put(bytes("c"), bytes("v" + i)));
        }
        await(kv.compact(4));
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        Watch.Watcher watcher = client.getWatchClient().watch(bytes("c"),
                WatchOption.builder().withRevision(2).build(), Watch.listener(r -> {}, errors::add));
        try {
            Throwable error = errors.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            var compacted = assertInstanceOf(io.etcd.jetcd.common.exception.CompactedException.class, error);
            assertEquals(4, compacted.getCompactedRevision());
        } finally {
            watcher.close();
        }
    }

    @Test
    void leasesAreGrantedKeptAliveAndRevoked() throws Exception {
        var leases = client.getLeaseClient();
        var grant = await(leases.grant(30));
        assertEquals(30, grant.getTTL());
        long id = grant.getID();
        await(client.getKVClient().put(bytes("leased"), bytes("v"), PutOption.builder().withLeaseId(id).build()));

        assertEquals(30, await(leases.keepAliveOnce(id)).getTTL());
        var ttl = await(leases.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
        assertEquals(30, ttl.getGrantedTTL());
        assertEquals(List.of("leased"), ttl.getKeys().stream().map(k -> k.toString(UTF_8)).toList());

        // The streaming keep-alive: several renewals answered on one stream.
        BlockingQueue<io.etcd.jetcd.lease.LeaseKeepAliveResponse> renewals = new LinkedBlockingQueue<>();
        var keepAlive = leases.keepAlive(id, new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse response) {
                renewals.add(response);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        try {
            var first = renewals.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(first, "jetcd's keep-alive loop got an answer");
            assertEquals(id, first.getID());
        } finally {
            keepAlive.close();
        }

        await(leases.revoke(id));
        assertEquals(0, await(client.getKVClient().get(bytes("leased"))).getCount());
        assertEquals(-1, await(leases.timeToLive(id, LeaseOption.DEFAULT)).getTTL());
        boolean gone = await(leases.keepAliveOnce(id).handle((r, t) -> t != null || r.getTTL() <= 0));
        assertTrue(gone, "keep-alive of a revoked lease reports it gone");
    }

    @Test
    void memberListAndStatus() throws Exception {
        var members = await(client.getClusterClient().listMember()).getMembers();
        assertEquals(1, members.size());
        assertEquals(FakeCairn.MEMBER_ID, members.get(0).getId());
        assertEquals("fake", members.get(0).getName());
        assertEquals(List.of(URI.create("http://127.0.0.1:2380")), members.get(0).getPeerURIs());
        assertFalse(members.get(0).isLearner());

        var removal = failure(client.getClusterClient().removeMember(7));
        assertEquals("etcdserver: member not found", removal.message());

        var status = await(client.getMaintenanceClient().statusMember(endpoint.boundUrls().get(0).toString()));
        assertEquals("3.6.0", status.getVersion());
        assertEquals(4096, status.getDbSize());
        assertEquals(FakeCairn.MEMBER_ID, status.getLeader());
        assertEquals(2048, status.getDbSizeInUse());

        var snapshot = new java.io.ByteArrayOutputStream();
        assertEquals(8L, await(client.getMaintenanceClient().snapshot(snapshot)));
        assertEquals("snapshot", snapshot.toString(UTF_8));
    }
}
