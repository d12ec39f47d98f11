package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.conformance.linearizability.CheckResult;
import io.cairn.conformance.linearizability.HistoryEntry;
import io.cairn.conformance.linearizability.HistoryRecorder;
import io.cairn.conformance.linearizability.KvModel;
import io.cairn.conformance.linearizability.LinearizabilityChecker;
import io.cairn.conformance.linearizability.Operation;
import io.cairn.conformance.linearizability.Outcome;
import io.cairn.conformance.linearizability.Result;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cluster verification of the conformance kit (rules C1–C10 in conformance-tests' README), run
 * for every storage × peer transport pair with real {@code cairn} processes: three members under
 * load from several jetcd clients (put, get, delete, compare-and-set on a few keys, every call
 * recorded; with the http peer transport one more client on the JSON gateway), while the test kills
 * the leader (SIGKILL) and restarts it on its data dir, kills a follower and keeps it down until
 * the others have taken more writes than the log keeps for catch-up (it must come back from a
 * snapshot), pauses the leader (SIGSTOP) beyond the election timeout, cuts a member off through the
 * fault-injection file, moves the leadership, and removes a member then adds it back with new peer
 * URLs and a fresh data dir (it joins from a snapshot). Afterwards: the history is linearizable, a
 * watcher opened at the start saw every acknowledged write once and in revision order across the
 * leader changes, every member's own watch history from the start equals it, and the members'
 * HashKV agree at a common revision.
 *
 * <p>One round of faults runs by default (about 20 s of pauses, plus restarts and elections; the
 * summary line prints the seconds per phase); {@code -Dcairn.faults.seconds=N} repeats rounds until
 * N seconds have passed.
 */
class ClusterFaultsIT {

    private static final String PREFIX = "fk/";
    private static final List<String> KEYS = List.of("fk/a", "fk/b", "fk/c", "fk/d", "fk/e");
    private static final int CLIENTS = 3;
    /** Low, so that a follower down for a second falls behind what the log keeps (snapshot count / 2). */
    private static final int SNAPSHOT_COUNT = 100;
    /** What the server logs when it replaced its state by a snapshot from the leader. */
    private static final String SNAPSHOT_INSTALLED = "installed the snapshot at raft index";
    private static final long OP_TIMEOUT_MS = 4_000;
    private static final long CALL_TIMEOUT_S = 15;

    /**
     * Every fault in one run per pair (one cluster start and one history check, to keep CI time
     * bounded). The members that catch up from a snapshot (the follower kept down, the re-added
     * member) must then serve the same watch history from the start as the others (one once served a
     * watch from revision 2 starting at its snapshot's point, the events before silently missing).
     */
    @ParameterizedTest(name = "{0} storage, {1} peers")
    @MethodSource("pairs")
    void clusterVerification(String storage, String peerTransport) throws Exception {
        runFaults(storage, peerTransport);
    }

    /**
     * The pairs to verify: Cairn's four, or those of {@code -Dcairn.cluster.pairs=storage:transport,...}
     * (a plugin author's, with its jars in the directory {@code -Dcairn.cluster.plugins} names).
     */
    static Stream<Arguments> pairs() {
        String pairs = System.getProperty("cairn.cluster.pairs", "rocksdb:grpc,rocksdb:http,xodus:grpc,xodus:http");
        return Arrays.stream(pairs.split(",")).map(String::strip).filter(p -> !p.isEmpty()).map(pair -> {
            String[] parts = pair.split(":");
            assertEquals(2, parts.length, "cairn.cluster.pairs takes storage:transport pairs, not " + pair);
            return Arguments.of(parts[0].strip(), parts[1].strip());
        });
    }

    /** The package to start: the built one, or one whose plugins folder is {@code -Dcairn.cluster.plugins}. */
    private static Path packageHome() {
        String plugins = System.getProperty("cairn.cluster.plugins", "");
        return plugins.isBlank() ? CairnProcess.home() : PluginHome.with(Path.of(plugins));
    }

    private void runFaults(String storage, String peerTransport) throws Exception {
        long runSeconds = Long.getLong("cairn.faults.seconds", 0);
        long started = System.nanoTime();
        String pair = storage + " x " + peerTransport;
        try (FaultCluster cluster = new FaultCluster(packageHome(), "faults-" + storage + "-" + peerTransport, SNAPSHOT_COUNT,
                storage, peerTransport)) {
            cluster.startAll();
            List<Client> clients = new ArrayList<>();
            List<Client> memberClients = new ArrayList<>();
            try {
                for (FaultCluster.Member m : cluster.members()) {
                    memberClients.add(client(m.clientUrl()));
                }
                Client watchClient = client(cluster.endpoints().split(","));
                clients.add(watchClient);
                long startRevision = watchClient.getKVClient().get(bytes("fk/start")).get(CALL_TIMEOUT_S, TimeUnit.SECONDS)
                        .getHeader().getRevision();
                List<WatchEvent> seen = new CopyOnWriteArrayList<>();
                List<Throwable> watchErrors = new CopyOnWriteArrayList<>();
                ResumingWatch watcher = new ResumingWatch(watchClient.getWatchClient(), startRevision + 1, seen, watchErrors);

                HistoryRecorder recorder = new HistoryRecorder();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong acknowledgedWrites = new AtomicLong();
                List<Thread> workers = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Client client = client(cluster.endpoints().split(","));
                    clients.add(client);
                    Workload kv = new JetcdWorkload(client.getKVClient());
                    int clientId = c;
                    workers.add(Thread.ofPlatform().name("fault-client-" + c)
                            .start(() -> runClient(clientId, kv, recorder, stop, acknowledgedWrites)));
                }
                if (peerTransport.equals("http")) {
                    // one more client on the JSON gateway: the http transport's client side under the same faults
                    int clientId = CLIENTS;
                    List<String> httpUrls = cluster.members().stream().map(FaultCluster.Member::httpUrl).toList();
                    Workload kv = new GatewayWorkload(new GatewayKv(httpUrls, clientId, (int) OP_TIMEOUT_MS));
                    workers.add(Thread.ofPlatform().name("fault-gateway-client")
                            .start(() -> runClient(clientId, kv, recorder, stop, acknowledgedWrites)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(runSeconds);
                Phases phases = new Phases();
                List<CairnProcess> caughtUpFromSnapshot = new ArrayList<>();
                int round = 0;
                try {
                    do {
                        faultRound(cluster, memberClients, round++, phases, acknowledgedWrites, caughtUpFromSnapshot);
                    } while (System.nanoTime() < deadline);
                } finally {
                    stop.set(true);
                    for (Thread t : workers) {
                        t.join(TimeUnit.SECONDS.toMillis(30));
                    }
                    cluster.healAll();
                }

                // a last write every member must reach: its revision is the common point of comparison
                long endRevision = awaitWrite(watchClient.getKVClient(), "fk/end", "end");
                List<HistoryEntry> history = recorder.history();
                phases.end("stop load, last write");
                CheckResult verdict = new LinearizabilityChecker(Duration.ofSeconds(60)).check(new KvModel(), history);
                assertTrue(verdict.isLinearizable(), () -> "C1 (" + pair + "): " + verdict + cluster.logs());
                phases.end("linearizability check");

                awaitEvent(seen, endRevision, watchErrors);
                watcher.close();
                assertWatchedOnceInOrder(seen, watcher.headerRevisions, watchErrors);
                assertAcknowledgedWritesWatched(history, seen);

                List<String> expected = describe(seen, endRevision);
                Map<String, Long> hashes = new HashMap<>();
                for (int i = 0; i < FaultCluster.SIZE; i++) {
                    FaultCluster.Member m = cluster.member(i);
                    Client mc = memberClients.get(i);
                    awaitApplied(mc, endRevision, m);
                    List<String> own = describe(watchFrom(mc, startRevision + 1, endRevision), endRevision);
                    assertSameHistory(expected, own, m);
                    long hash = Integer.toUnsignedLong(mc.getMaintenanceClient().hashKV(m.endpoint(), endRevision)
                            .get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getHash());
                    hashes.put(m.name, hash);
                }
                assertEquals(1, hashes.values().stream().distinct().count(),
                        "C10 (" + pair + "): HashKV at " + endRevision + ": " + hashes);
                phases.end("member histories and hashes");
                long okWrites = history.stream().filter(e -> e.outcome() instanceof Outcome.Ok ok && changed(ok.result()))
                        .count();
                long gatewayOps = history.stream().filter(e -> e.clientId() == CLIENTS).count();
                System.out.printf("ClusterFaultsIT[%s]: %.0f s, %d rounds, %d operations (%d on the JSON gateway, "
                        + "%d acknowledged writes, %d unknown), %d watch events up to revision %d, HashKV %s, "
                        + "%d members caught up from a snapshot, watch resumed after %s; seconds per phase: %s%n",
                        pair, (System.nanoTime() - started) / 1e9, round, history.size(), gatewayOps, okWrites,
                        history.stream().filter(e -> e.outcome() instanceof Outcome.Unknown).count(), expected.size(),
                        endRevision, hashes, caughtUpFromSnapshot.size(), watchErrors, phases);
                assertTrue(okWrites > 50, "C2 (" + pair + "): the load made progress through the faults: " + okWrites
                        + " acknowledged writes");
                if (peerTransport.equals("http")) {
                    long gatewayOk = history.stream()
                            .filter(e -> e.clientId() == CLIENTS && e.outcome() instanceof Outcome.Ok).count();
                    assertTrue(gatewayOk > 10, "C2 (" + pair + "): the JSON gateway client made progress: " + gatewayOk
                            + " acknowledged operations");
                }
            } finally {
                clients.forEach(Client::close);
                memberClients.forEach(Client::close);
            }
        }
    }

    /** Whether an acknowledged answer reports a change (a put, a successful CAS, a delete of a key). */
    private static boolean changed(Result result) {
        return result instanceof Result.PutResult
                || (result instanceof Result.CasResult cas && cas.succeeded())
                || (result instanceof Result.DeleteResult delete && delete.deleted() == 1);
    }

    /**
     * One round of every fault, each with load before and after it. The processes that must have
     * caught up from a snapshot are added to {@code caughtUpFromSnapshot} after they logged it.
     */
    private static void faultRound(FaultCluster cluster, List<Client> memberClients, int round, Phases phases,
                                   AtomicLong acknowledgedWrites, List<CairnProcess> caughtUpFromSnapshot) {
        pauseFor(1_500);
        // a) SIGKILL the leader, let the others elect, restart it on its data dir
        FaultCluster.Member leader = leader(cluster, memberClients);
        cluster.kill(leader);
        pauseFor(2_000);
        cluster.start(leader);
        pauseFor(1_000);
        phases.end("kill leader");
        // ... then a follower, kept down until the others took more writes than the log keeps for its catch-up
        FaultCluster.Member follower = follower(cluster, memberClients);
        cluster.kill(follower);
        pauseFor(1_000);
        awaitWrites(acknowledgedWrites, 3L * SNAPSHOT_COUNT, "while " + follower + " is down", cluster);
        cluster.start(follower);
        awaitSnapshotInstalled(follower, cluster);
        caughtUpFromSnapshot.add(follower.process);
        pauseFor(1_000);
        phases.end("kill follower, snapshot catch-up");
        // b) SIGSTOP the leader beyond the election timeout (1 s), then SIGCONT: it comes back as a stale leader
        leader = leader(cluster, memberClients);
        cluster.pause(leader);
        pauseFor(2_500);
        cluster.resume(leader);
        pauseFor(1_500);
        phases.end("pause leader");
        // c) cut a member off from its peers (the leader on even rounds, a follower on odd ones), then heal
        FaultCluster.Member cut = round % 2 == 0 ? leader(cluster, memberClients) : follower(cluster, memberClients);
        cluster.isolate(cut);
        pauseFor(2_500);
        cluster.heal(cut);
        pauseFor(1_500);
        phases.end("isolate");
        // d) move the leadership under load
        leader = leader(cluster, memberClients);
        FaultCluster.Member target = follower(cluster, memberClients);
        try {
            memberClients.get(leader.index).getMaintenanceClient().moveLeader(target.id()).get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("C7: move-leader " + leader + " -> " + target + " failed" + cluster.logs(), e);
        }
        assertEquals(target, leader(cluster, memberClients), "C7: the leader after move-leader");
        pauseFor(1_500);
        phases.end("move leader");
        // e) remove a follower (its process stops by itself), then add it back under a new identity
        FaultCluster.Member removed = follower(cluster, memberClients);
        Client other = memberClients.get(leader(cluster, memberClients).index);
        try {
            other.getClusterClient().removeMember(removed.id()).get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
            assertTrue(removed.process.waitForExit(Duration.ofSeconds(30)), "C8: " + removed + " stops after its removal");
            pauseFor(1_000);
            String peerUrl = cluster.renew(removed);
            other.getClusterClient().addMember(List.of(java.net.URI.create(peerUrl)))
                    .get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("C8: member remove/add of " + removed + " failed" + cluster.logs(), e);
        }
        cluster.start(removed);
        awaitSnapshotInstalled(removed, cluster);
        caughtUpFromSnapshot.add(removed.process);
        pauseFor(1_000);
        phases.end("remove and re-add");
    }

    /** Waits (up to 60 s) until the load has had {@code count} more writes acknowledged. */
    private static void awaitWrites(AtomicLong acknowledged, long count, String when, FaultCluster cluster) {
        long target = acknowledged.get() + count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("C2: " + (count - (target - acknowledged.get())) + " of " + count
                        + " writes acknowledged within 60 s " + when + cluster.logs());
            }
            CairnProcess.sleep(50);
        }
    }

    /**
     * Waits (up to 60 s) until the member's current process logged that it installed a snapshot:
     * it was behind the first entry the leader's log still holds, so only a snapshot could bring it up.
     */
    private static void awaitSnapshotInstalled(FaultCluster.Member m, FaultCluster cluster) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!m.process.stderr().contains(SNAPSHOT_INSTALLED)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("C4: " + m + " did not install a snapshot from the leader within 60 s of its start"
                        + cluster.logs());
            }
            CairnProcess.sleep(100);
        }
    }

    /** Wall-clock seconds spent per phase, summed over rounds, for the summary line. */
    private static final class Phases {
        private final Map<String, Double> seconds = new java.util.LinkedHashMap<>();
        private long since = System.nanoTime();

        void end(String phase) {
            long now = System.nanoTime();
            seconds.merge(phase, (now - since) / 1e9, Double::sum);
            since = now;
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            seconds.forEach((phase, s) -> out.append(out.isEmpty() ? "" : ", ").append(phase).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.1f", s)));
            return out.toString();
        }
    }

    /** The member every running member names as leader (waits for an election to settle). */
    private static FaultCluster.Member leader(FaultCluster cluster, List<Client> memberClients) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            Long agreed = null;
            boolean disagree = false;
            StringBuilder seen = new StringBuilder();
            for (FaultCluster.Member m : cluster.members()) {
                if (!m.running() || m.paused) {
                    continue;
                }
                try {
                    long leaderId = memberClients.get(m.index).getMaintenanceClient().statusMember(m.endpoint())
                            .get(5, TimeUnit.SECONDS).getLeader();
                    seen.append(m).append("->").append(Long.toHexString(leaderId)).append(' ');
                    if (leaderId == 0 || (agreed != null && agreed != leaderId)) {
                        disagree = true;
                    }
                    agreed = leaderId;
                } catch (Exception e) {
                    disagree = true;
                    seen.append(m).append("->").append(e).append(' ');
                }
            }
            last = seen.toString();
            if (!disagree && agreed != null) {
                for (FaultCluster.Member m : cluster.members()) {
                    if (m.running() && m.id() == agreed) {
                        return m;
                    }
                }
            }
            CairnProcess.sleep(100);
        }
        throw new AssertionError("C3/C5/C6: no leader all running members agree on within 30 s: " + last + cluster.logs());
    }

    private static FaultCluster.Member follower(FaultCluster cluster, List<Client> memberClients) {
        FaultCluster.Member leader = leader(cluster, memberClients);
        return cluster.member((leader.index + 1) % FaultCluster.SIZE);
    }

    private static void pauseFor(long millis) {
        CairnProcess.sleep(millis);
    }

    /** A client without jetcd's retries: a retried put could apply twice, which no history explains. */
    private static Client client(String... endpoints) {
        return Client.builder().endpoints(endpoints).retryMaxAttempts(0).connectTimeout(Duration.ofSeconds(2))
                .keepaliveTimeout(Duration.ofSeconds(3)).build();
    }

    /** The four operations of the workload, over one client API. */
    private interface Workload {
        Result.PutResult put(String key, String value) throws Exception;

        Result.GetResult get(String key) throws Exception;

        Result.DeleteResult delete(String key) throws Exception;

        /** If the key's value equals {@code expected}, put {@code value}. */
        Result.CasResult casValue(String key, String expected, String value) throws Exception;
    }

    /** The workload over jetcd (gRPC). */
    private record JetcdWorkload(KV kv) implements Workload {
        @Override
        public Result.PutResult put(String key, String value) throws Exception {
            PutResponse r = kv.put(bytes(key), bytes(value)).get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return Result.put(r.getHeader().getRevision());
        }

        @Override
        public Result.GetResult get(String key) throws Exception {
            GetResponse r = kv.get(bytes(key)).get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (r.getKvs().isEmpty()) {
                return Result.get(null, 0, r.getHeader().getRevision());
            }
            var kvs = r.getKvs().get(0);
            return Result.get(kvs.getValue().toString(UTF_8), kvs.getModRevision(), r.getHeader().getRevision());
        }

        @Override
        public Result.DeleteResult delete(String key) throws Exception {
            DeleteResponse r = kv.delete(bytes(key)).get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new Result.DeleteResult(r.getDeleted(), null, r.getHeader().getRevision());
        }

        @Override
        public Result.CasResult casValue(String key, String expected, String value) throws Exception {
            TxnResponse r = kv.txn()
                    .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.value(bytes(expected))))
                    .Then(Op.put(bytes(key), bytes(value), PutOption.DEFAULT))
                    .commit().get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new Result.CasResult(r.isSucceeded(), r.getHeader().getRevision());
        }
    }

    /** The workload over etcd's JSON gateway (the http transport's client side). */
    private record GatewayWorkload(GatewayKv gateway) implements Workload {
        @Override
        public Result.PutResult put(String key, String value) throws Exception {
            return gateway.put(key, value);
        }

        @Override
        public Result.GetResult get(String key) throws Exception {
            return gateway.get(key);
        }

        @Override
        public Result.DeleteResult delete(String key) throws Exception {
            return gateway.delete(key);
        }

        @Override
        public Result.CasResult casValue(String key, String expected, String value) throws Exception {
            return gateway.casValue(key, expected, value);
        }
    }

    private static void runClient(int clientId, Workload kv, HistoryRecorder recorder, AtomicBoolean stop,
                                  AtomicLong acknowledgedWrites) {
        Random random = new Random(clientId * 7919L + 17);
        Map<String, String> lastRead = new HashMap<>();
        long seq = 0;
        while (!stop.get()) {
            String key = KEYS.get(random.nextInt(KEYS.size()));
            String value = "c" + clientId + "-" + seq++;
            int kind = random.nextInt(10);
            if (kind < 4) {
                HistoryRecorder.Invocation call = recorder.invoke(clientId, Operation.put(key, value));
                try {
                    call.ok(kv.put(key, value));
                    acknowledgedWrites.incrementAndGet();
                } catch (Exception e) {
                    call.unknown(String.valueOf(e));
                    backOff(e);
                }
            } else if (kind < 7) {
                HistoryRecorder.Invocation call = recorder.invoke(clientId, Operation.get(key));
                try {
                    Result.GetResult read = kv.get(key);
                    call.ok(read);
                    if (read.value() != null) {
                        lastRead.put(key, read.value());
                    }
                } catch (Exception e) {
                    call.failed(String.valueOf(e)); // a read changes nothing
                    backOff(e);
                }
            } else if (kind < 8) {
                HistoryRecorder.Invocation call = recorder.invoke(clientId, Operation.delete(key));
                try {
                    call.ok(kv.delete(key));
                    acknowledgedWrites.incrementAndGet();
                } catch (Exception e) {
                    call.unknown(String.valueOf(e));
                    backOff(e);
                }
            } else {
                String expected = lastRead.getOrDefault(key, "none");
                HistoryRecorder.Invocation call = recorder.invoke(clientId, Operation.casValue(key, expected, value));
                try {
                    call.ok(kv.casValue(key, expected, value));
                    acknowledgedWrites.incrementAndGet();
                } catch (Exception e) {
                    call.unknown(String.valueOf(e));
                    backOff(e);
                }
            }
        }
    }

    /** After a failure, wait a little: a client hammering a member that is down only grows the history. */
    private static void backOff(Exception e) {
        boolean timedOut = e instanceof TimeoutException || e instanceof java.net.SocketTimeoutException;
        CairnProcess.sleep(timedOut ? 0 : 200);
    }

    /** Puts until one is acknowledged (the cluster is healed, so this must come), and returns its revision. */
    private static long awaitWrite(KV kv, String key, String value) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return kv.put(bytes(key), bytes(value)).get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS).getHeader().getRevision();
            } catch (Exception e) {
                last = e;
                CairnProcess.sleep(200);
            }
        }
        throw new AssertionError("C10: no write acknowledged within 60 s after healing", last);
    }

    private static void awaitEvent(List<WatchEvent> seen, long revision, List<Throwable> errors) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!seen.isEmpty() && seen.get(seen.size() - 1).getKeyValue().getModRevision() >= revision) {
                return;
            }
            CairnProcess.sleep(100);
        }
        fail("C9: the watcher did not reach revision " + revision + " within 60 s; errors: " + errors);
    }

    /** Waits until the member's own store (a serializable read) has applied {@code revision}. */
    private static void awaitApplied(Client client, long revision, FaultCluster.Member m) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long at = 0;
        while (System.nanoTime() < deadline) {
            try {
                at = client.getKVClient().get(bytes("fk/end"), GetOption.builder().withSerializable(true).build())
                        .get(5, TimeUnit.SECONDS).getHeader().getRevision();
                if (at >= revision) {
                    return;
                }
            } catch (Exception e) {
                // still starting: retry
            }
            CairnProcess.sleep(100);
        }
        fail("C10: " + m + " applied only up to revision " + at + ", not " + revision);
    }

    /** The member's watch history of the prefix from {@code from} up to {@code to}. */
    private static List<WatchEvent> watchFrom(Client client, long from, long to) {
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = client.getWatchClient().watch(bytes(PREFIX),
                WatchOption.builder().isPrefix(true).withRevision(from).build(),
                response -> events.addAll(response.getEvents()), errors::add)) {
            awaitEvent(events, to, errors);
        }
        return events;
    }

    /**
     * A prefix watch that, after any stream error, replaces its watcher by one opened from the
     * revision after the last event, as an application would. jetcd resumes some broken streams
     * itself, but from its own notion of the next revision, which a created response's header can
     * move past events not yet delivered; the test tracks the revision itself instead. At most one
     * watcher delivers at a time, so any repeated or missing event is the server's.
     */
    private static final class ResumingWatch implements AutoCloseable {
        private final long firstRevision;
        private final Watch watch;
        private final List<WatchEvent> seen;
        private final List<Throwable> errors;
        private final ScheduledExecutorService reopener =
                Executors.newSingleThreadScheduledExecutor();
        private Watch.Watcher current;
        private int generation;
        private boolean closed;

        ResumingWatch(Watch watch, long fromRevision, List<WatchEvent> seen, List<Throwable> errors) {
            this.firstRevision = fromRevision;
            this.watch = watch;
            this.seen = seen;
            this.errors = errors;
            open(fromRevision);
        }

        private synchronized void open(long fromRevision) {
            if (closed) {
                return;
            }
            int opened = ++generation;
            current = watch.watch(bytes(PREFIX), WatchOption.builder().isPrefix(true).withRevision(fromRevision).build(),
                    response -> deliver(opened, response.getEvents(), response.getHeader().getRevision()), error -> {
                        errors.add(error);
                        // after this listener returns jetcd either closes the watcher or resumes it in 500 ms
                        reopener.schedule(() -> replace(opened), 300, TimeUnit.MILLISECONDS);
                    });
        }

        private synchronized void replace(int failed) {
            if (failed == generation) {
                current.close();
                open(seen.isEmpty() ? firstRevision : seen.get(seen.size() - 1).getKeyValue().getModRevision() + 1);
            }
        }

        private synchronized void deliver(int from, List<WatchEvent> events, long headerRevision) {
            if (from != generation) {
                return; // a replaced watcher's late callback
            }
            for (WatchEvent e : events) {
                seen.add(e);
                headerRevisions.add(headerRevision);
            }
        }

        /** The header revision of the response that delivered each event of {@code seen}, for diagnostics. */
        final List<Long> headerRevisions = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void close() {
            closed = true;
            reopener.shutdownNow();
            current.close();
        }
    }

    private static void assertSameHistory(List<String> expected, List<String> actual, FaultCluster.Member m) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        fail("C9: the history " + m + " serves (" + actual.size() + " events, first " + (actual.isEmpty() ? "-" : actual.get(0))
                + ") differs from the watcher's (" + expected.size() + " events, first "
                + (expected.isEmpty() ? "-" : expected.get(0)) + ") at index " + i + ": expected "
                + (i < expected.size() ? expected.get(i) : "the end") + ", was " + (i < actual.size() ? actual.get(i) : "the end"));
    }

    private static void assertWatchedOnceInOrder(List<WatchEvent> seen, List<Long> headers, List<Throwable> errors) {
        long previous = 0;
        for (int i = 0; i < seen.size(); i++) {
            long revision = seen.get(i).getKeyValue().getModRevision();
            long before = previous;
            int at = i;
            assertTrue(revision > previous, () -> "C9: watch events in strictly increasing revisions (each once): "
                    + before + " then " + revision + " (delivered in responses with header revisions "
                    + headers.get(at - 1) + " and " + headers.get(at) + "); stream errors the watch resumed after: " + errors);
            previous = revision;
        }
    }

    /** Every acknowledged write is the watch event at the revision it reported. */
    private static void assertAcknowledgedWritesWatched(List<HistoryEntry> history, List<WatchEvent> seen) {
        Map<Long, WatchEvent> byRevision = new HashMap<>();
        for (WatchEvent e : seen) {
            byRevision.put(e.getKeyValue().getModRevision(), e);
        }
        for (HistoryEntry entry : history) {
            if (!(entry.outcome() instanceof Outcome.Ok ok)) {
                continue;
            }
            switch (entry.operation()) {
                case Operation.Put put -> expectEvent(byRevision, ((Result.PutResult) ok.result()).revision(),
                        WatchEvent.EventType.PUT, put.key(), put.value(), entry);
                case Operation.CompareAndSet cas -> {
                    Result.CasResult r = (Result.CasResult) ok.result();
                    if (r.succeeded()) {
                        expectEvent(byRevision, r.revision(), WatchEvent.EventType.PUT, cas.key(), cas.newValue(), entry);
                    }
                }
                case Operation.Delete delete -> {
                    Result.DeleteResult r = (Result.DeleteResult) ok.result();
                    if (r.deleted() == 1) {
                        expectEvent(byRevision, r.revision(), WatchEvent.EventType.DELETE, delete.key(), null, entry);
                    }
                }
                default -> {
                }
            }
        }
    }

    private static void expectEvent(Map<Long, WatchEvent> byRevision, long revision, WatchEvent.EventType type,
                                    String key, String value, HistoryEntry entry) {
        WatchEvent e = byRevision.get(revision);
        assertTrue(e != null, "C9: no watch event at revision " + revision + " for the acknowledged " + entry);
        assertEquals(type, e.getEventType(), entry::toString);
        assertEquals(key, e.getKeyValue().getKey().toString(UTF_8), entry::toString);
        if (value != null) {
            assertEquals(value, e.getKeyValue().getValue().toString(UTF_8), entry::toString);
        }
    }

    private static List<String> describe(List<WatchEvent> events, long upTo) {
        List<String> out = new ArrayList<>();
        for (WatchEvent e : events) {
            long revision = e.getKeyValue().getModRevision();
            if (revision <= upTo) {
                out.add(revision + " " + e.getEventType() + " " + e.getKeyValue().getKey().toString(UTF_8) + "="
                        + e.getKeyValue().getValue().toString(UTF_8));
            }
        }
        return out;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, UTF_8);
    }
}
