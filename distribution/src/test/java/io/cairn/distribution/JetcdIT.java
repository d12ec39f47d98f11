package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** jetcd, an etcd client no one here wrote, against one packaged server process. */
class JetcdIT {

    private static final long TIMEOUT_SECONDS = 15;

    private static CairnProcess server;
    private static Client client;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(CairnProcess.newDataDir("jetcd"), "--storage", "xodus");
        client = Client.builder().endpoints(server.clientUrl()).retryMaxDuration(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void kvPutGetRangeDelete() throws Exception {
        KV kv = client.getKVClient();
        long first = await(kv.put(bytes("kv/a"), bytes("1"))).getHeader().getRevision();
        var overwrite = await(kv.put(bytes("kv/a"), bytes("2"), PutOption.builder().withPrevKV().build()));
        assertEquals(first + 1, overwrite.getHeader().getRevision());
        assertEquals("1", overwrite.getPrevKv().getValue().toString(UTF_8));
        await(kv.put(bytes("kv/b"), bytes("3")));

        var range = await(kv.get(bytes("kv/"), GetOption.builder().isPrefix(true).build()));
        assertEquals(2, range.getCount());
        assertEquals(List.of("kv/a=2", "kv/b=3"), range.getKvs().stream()
                .map(k -> k.getKey().toString(UTF_8) + "=" + k.getValue().toString(UTF_8)).toList());
        assertEquals(2, range.getKvs().get(0).getVersion());
        assertEquals(first, range.getKvs().get(0).getCreateRevision());

        var old = await(kv.get(bytes("kv/a"), GetOption.builder().withRevision(first).build()));
        assertEquals("1", old.getKvs().get(0).getValue().toString(UTF_8));

        assertEquals(2, await(kv.delete(bytes("kv/"), DeleteOption.builder().isPrefix(true).build())).getDeleted());
        assertEquals(0, await(kv.get(bytes("kv/a"))).getCount());
    }

    @Test
    void txnComparesAndBranches() throws Exception {
        KV kv = client.getKVClient();
        await(kv.put(bytes("txn/k"), bytes("v1")));
        TxnResponse success = await(kv.txn()
                .If(new Cmp(bytes("txn/k"), Cmp.Op.EQUAL, CmpTarget.value(bytes("v1"))))
                .Then(Op.put(bytes("txn/k"), bytes("v2"), PutOption.DEFAULT), Op.get(bytes("txn/k"), GetOption.DEFAULT))
                .Else(Op.put(bytes("txn/k"), bytes("else"), PutOption.DEFAULT))
                .commit());
        assertTrue(success.isSucceeded());
        assertEquals("v2", success.getGetResponses().get(0).getKvs().get(0).getValue().toString(UTF_8));

        TxnResponse failure = await(kv.txn()
                .If(new Cmp(bytes("txn/k"), Cmp.Op.EQUAL, CmpTarget.value(bytes("v1"))))
                .Then(Op.put(bytes("txn/k"), bytes("then"), PutOption.DEFAULT))
                .Else(Op.delete(bytes("txn/k"), DeleteOption.DEFAULT))
                .commit());
        assertTrue(!failure.isSucceeded());
        assertEquals(1, failure.getDeleteResponses().get(0).getDeleted());
        assertEquals(0, await(kv.get(bytes("txn/k"))).getCount());
    }

    @Test
    void watchFromAStartRevisionReplaysThenFollows() throws Exception {
        KV kv = client.getKVClient();
        long start = await(kv.put(bytes("watch/a"), bytes("1"))).getHeader().getRevision();
        await(kv.put(bytes("watch/a"), bytes("2")));
        BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("watch/"),
                WatchOption.builder().isPrefix(true).withRevision(start).build(),
                Watch.listener(responses::add, errors::add))) {
            List<WatchEvent> events = new ArrayList<>();
            while (events.size() < 2) {
                WatchResponse next = responses.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(next, () -> "replayed so far: " + events + ", errors: " + errors);
                events.addAll(next.getEvents());
            }
            await(kv.delete(bytes("watch/a")));
            while (events.size() < 3) {
                WatchResponse next = responses.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(next, () -> "events so far: " + events + ", errors: " + errors);
                events.addAll(next.getEvents());
            }
            assertEquals(List.of("PUT watch/a 1 @" + start, "PUT watch/a 2 @" + (start + 1), "DELETE watch/a  @" + (start + 2)),
                    events.stream().map(e -> e.getEventType() + " " + e.getKeyValue().getKey().toString(UTF_8) + " "
                            + e.getKeyValue().getValue().toString(UTF_8) + " @" + e.getKeyValue().getModRevision()).toList());
            assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        }
    }

    @Test
    void watchFromACompactedRevisionGetsTheCompactionError() throws Exception {
        KV kv = client.getKVClient();
        long first = await(kv.put(bytes("compact/k"), bytes("1"))).getHeader().getRevision();
        long last = await(kv.put(bytes("compact/k"), bytes("2"))).getHeader().getRevision();
        await(kv.compact(last));
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("compact/k"),
                WatchOption.builder().withRevision(first).build(), Watch.listener(r -> { }, errors::add))) {
            Throwable error = errors.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            CompactedException compacted = assertInstanceOf(CompactedException.class, error);
            assertEquals(last, compacted.getCompactedRevision());
        }
        ExecutionException read = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(kv.get(bytes("compact/k"), GetOption.builder().withRevision(first).build())));
        // jetcd hands a failed unary call over as grpc's StatusRuntimeException, with etcd's message
        assertTrue(String.valueOf(read.getCause().getMessage())
                .endsWith("etcdserver: mvcc: required revision has been compacted"), read::toString);
    }

    @Test
    void leaseKeepAliveHoldsTheKeyAndExpiryDeletesIt() throws Exception {
        var leases = client.getLeaseClient();
        var grant = await(leases.grant(2));
        long ttl = grant.getTTL();
        assertTrue(ttl >= 2, "granted TTL " + ttl);
        long id = grant.getID();
        await(client.getKVClient().put(bytes("lease/k"), bytes("v"), PutOption.builder().withLeaseId(id).build()));

        BlockingQueue<LeaseKeepAliveResponse> renewals = new LinkedBlockingQueue<>();
        var keepAlive = leases.keepAlive(id, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                renewals.add(response);
            }

            @Override
            public void onError(Throwable t) { }

            @Override
            public void onCompleted() { }
        });
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(ttl * 2 + 1));
            assertTrue(renewals.size() >= 2, "jetcd renewed the lease several times: " + renewals.size());
            assertEquals(id, renewals.peek().getID());
            assertEquals(1, await(client.getKVClient().get(bytes("lease/k"))).getCount(),
                    "kept alive past twice its TTL");
        } finally {
            keepAlive.close();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl + 10);
        long count = 1;
        while (count > 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            count = await(client.getKVClient().get(bytes("lease/k"))).getCount();
        }
        assertEquals(0, count, "the lease expired and took its key with it");
        assertEquals(-1, await(leases.timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT)).getTTL());
    }

    @Test
    void statusAndMemberList() throws Exception {
        var members = await(client.getClusterClient().listMember()).getMembers();
        assertEquals(1, members.size());
        assertEquals("n1", members.get(0).getName());
        assertEquals(Long.parseUnsignedLong(server.memberIdHex(), 16), members.get(0).getId());
        var status = await(client.getMaintenanceClient().statusMember(server.clientUrl().toString()));
        assertTrue(status.getVersion().matches("\\d+\\.\\d+\\.\\d+.*"), status.getVersion());
        assertEquals(members.get(0).getId(), status.getLeader());
    }
}
