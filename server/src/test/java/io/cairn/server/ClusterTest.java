package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.cluster.Member;
import io.cairn.api.cluster.MemberAddRequest;
import io.cairn.api.cluster.MemberAddResponse;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.api.cluster.MemberPromoteRequest;
import io.cairn.api.cluster.MemberRemoveRequest;
import io.cairn.api.cluster.MemberUpdateRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.maintenance.MoveLeaderRequest;
import io.cairn.api.maintenance.StatusResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Three members in one JVM, wired by {@link InMemoryPeers}: the cluster behaviour end to end. */
class ClusterTest {

    @TempDir
    Path dir;

    private final InMemoryPeers network = new InMemoryPeers();
    private final List<CairnServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(CairnServer::close);
    }

    private static URI peerUrl(int i) {
        return URI.create("http://127.0.0.1:" + (23800 + i));
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private CairnServer.Builder member(int i, Map<String, List<URI>> initial, long snapshotCount) {
        return CairnServer.builder().name("n" + i).dataDir(dir.resolve("n" + i)).storage("rocksdb")
                .peerUrls(List.of(peerUrl(i))).initialCluster(initial).snapshotCount(snapshotCount)
                .peerEndpoints(network.factory());
    }

    private List<CairnServer> startCluster(int size, long snapshotCount) {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            initial.put("n" + i, List.of(peerUrl(i)));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            CairnServer.Builder builder = member(i, initial, snapshotCount);
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r))); // a thread each: every start waits for the others
        }
        List<CairnServer> started = new ArrayList<>();
        for (CompletableFuture<CairnServer> f : starting) {
            started.add(f.join());
        }
        servers.addAll(started);
        return started;
    }

    private static CairnServer leader(List<CairnServer> members) {
        await("one leader", () -> members.stream().filter(CairnServer::isLeader).count() == 1);
        return members.stream().filter(CairnServer::isLeader).findFirst().orElseThrow();
    }

    private static List<CairnServer> followers(List<CairnServer> members) {
        CairnServer leader = leader(members);
        return members.stream().filter(s -> s != leader).toList();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static String localValue(CairnServer server, String key) {
        RangeResponse r = server.client().kv().range(RangeRequest.of(b(key)).withSerializable(true)).join();
        return r.kvs().isEmpty() ? null : r.kvs().get(0).value().toUtf8();
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        return fail("expected a failure");
    }

    @Test
    void electsOneLeaderAndReplicatesToEveryMember() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer leader = leader(members);
        leader.client().kv().put(PutRequest.of(b("k"), b("v"))).join();
        for (CairnServer s : members) {
            await("k on " + s.name(), () -> "v".equals(localValue(s, "k")));
        }
        StatusResponse status = members.get(0).client().maintenance().status().join();
        assertEquals(leader.memberId(), status.leader());
        assertTrue(status.raftTerm() >= 2, "the bootstrap term 1 is followed by an election");
        assertEquals(members.get(0).clusterId(), members.get(1).clusterId());
    }

    @Test
    void followerForwardsWritesAndServesLinearizableReads() {
        List<CairnServer> members = startCluster(3, 10_000);
        List<CairnServer> followers = followers(members);
        CairnServer writer = followers.get(0);
        CairnServer reader = followers.get(1);
        for (int i = 0; i < 20; i++) {
            writer.client().kv().put(PutRequest.of(b("key" + i), b("value" + i))).join();
            // linearizable: a read started after the write completed sees it, on any member
            RangeResponse r = reader.client().kv().range(RangeRequest.of(b("key" + i))).join();
            assertEquals("value" + i, r.kvs().get(0).value().toUtf8());
        }
        // many reads at once on a follower share ReadIndex rounds
        List<CompletableFuture<RangeResponse>> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reads.add(reader.client().kv().range(RangeRequest.of(b("key19"))));
        }
        reads.forEach(f -> assertEquals("value19", f.join().kvs().get(0).value().toUtf8()));
    }

    @Test
    void memberListShowsNamesAndUrls() {
        List<CairnServer> members = startCluster(3, 10_000);
        await("every member published", () -> members.get(0).client().cluster().memberList(new MemberListRequest(true))
                .join().members().stream().noneMatch(m -> m.name().isEmpty()));
        List<Member> list = members.get(2).client().cluster().memberList(new MemberListRequest(true)).join().members();
        assertEquals(3, list.size());
        for (CairnServer s : members) {
            Member m = list.stream().filter(x -> x.id() == s.memberId()).findFirst().orElseThrow();
            assertEquals(s.name(), m.name());
            assertEquals(List.of(peerUrl(Integer.parseInt(s.name().substring(1))).toString()), m.peerUrls());
            assertFalse(m.learner());
        }
    }

    @Test
    void addLearnerThatCatchesUpThenPromoteAndRemove() {
        List<CairnServer> members = startCluster(3, 10_000);
        Cairn client = members.get(1).client();
        for (int i = 0; i < 50; i++) {
            client.kv().put(PutRequest.of(b("before" + i), b("x"))).join();
        }
        await("published", () -> client.cluster().memberList(new MemberListRequest(true)).join().members().stream()
                .noneMatch(m -> m.name().isEmpty()));
        // etcd's errors first
        assertEquals(ErrorCode.PEER_URL_EXISTS.message(), failure(client.cluster().memberAdd(
                MemberAddRequest.voter(List.of(peerUrl(1).toString())))).getMessage());
        assertEquals(ErrorCode.MEMBER_BAD_URLS.message(), failure(client.cluster().memberAdd(
                MemberAddRequest.voter(List.of("not a url")))).getMessage());
        assertEquals(ErrorCode.MEMBER_NOT_FOUND.message(), failure(client.cluster().memberRemove(
                new MemberRemoveRequest(12345))).getMessage());
        assertEquals(ErrorCode.MEMBER_NOT_LEARNER.message(), failure(client.cluster().memberPromote(
                new MemberPromoteRequest(members.get(0).memberId()))).getMessage());

        MemberAddResponse added = client.cluster().memberAdd(MemberAddRequest.learner(List.of(peerUrl(4).toString()))).join();
        assertTrue(added.member().learner());
        assertEquals(4, added.members().size());
        Map<String, List<URI>> all = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            all.put("n" + i, List.of(peerUrl(i)));
        }
        // a learner that has not started is not in sync: refused at a follower too (asked of the leader)
        CairnServer aFollower = followers(members).get(0);
        // the add is acknowledged once applied where it was proposed; the follower may apply it later
        await("the follower applied the add", () -> aFollower.members().member(added.member().id()) != null);
        assertEquals(ErrorCode.LEARNER_NOT_READY.message(), failure(aFollower.client().cluster().memberPromote(
                new MemberPromoteRequest(added.member().id()))).getMessage());
        CairnServer joiner = member(4, all, 10_000).initialClusterState(CairnServer.InitialClusterState.EXISTING).start();
        servers.add(joiner);
        assertEquals(added.member().id(), joiner.memberId());
        await("the learner has the data", () -> "x".equals(localValue(joiner, "before49")));
        await("the learner published its name", () -> "n4".equals(joiner.members().member(joiner.memberId()).name()));
        CairnServer leader = leader(members);
        assertTrue(leader.client().maintenance().status().join().leader() == leader.memberId());
        // promoted through a follower, which asks the leader whether the learner is in sync (etcd forwards it)
        CairnServer follower = followers(members).get(0);
        follower.client().cluster().memberPromote(new MemberPromoteRequest(joiner.memberId())).join();
        await("promoted everywhere", () -> servers.stream().allMatch(s -> !s.members().member(joiner.memberId()).learner()));

        // remove a follower: it stops by itself, the others go on with three voters
        CairnServer removed = followers(members).get(0);
        leader.client().cluster().memberRemove(new MemberRemoveRequest(removed.memberId())).join();
        await("the removed member stops", () -> removed.failure() != null);
        assertEquals(RaftNode.REMOVED_MESSAGE, removed.failure().getMessage());
        List<Member> after = leader.client().cluster().memberList(new MemberListRequest(true)).join().members();
        assertEquals(3, after.size());
        assertTrue(after.stream().noneMatch(m -> m.id() == removed.memberId()));
        joiner.client().kv().put(PutRequest.of(b("after"), b("y"))).join();
        // re-adding a removed id is refused (its URLs hash to a new id only if they change)
        assertEquals(ErrorCode.MEMBER_NOT_FOUND.message(), failure(leader.client().cluster().memberUpdate(
                new MemberUpdateRequest(removed.memberId(), List.of("http://127.0.0.1:23999")))).getMessage());
    }

    @Test
    void memberUpdateChangesPeerUrls() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer target = members.get(2);
        members.get(0).client().cluster().memberUpdate(new MemberUpdateRequest(target.memberId(),
                List.of(peerUrl(3).toString(), "http://127.0.0.1:23990"))).join();
        await("updated", () -> members.stream().allMatch(s -> s.members().member(target.memberId()).peerUrls().size() == 2));
        assertEquals(ErrorCode.PEER_URL_EXISTS.message(), failure(members.get(0).client().cluster().memberUpdate(
                new MemberUpdateRequest(target.memberId(), List.of(peerUrl(1).toString())))).getMessage());
    }

    @Test
    void laggingFollowerCatchesUpFromASnapshot() {
        List<CairnServer> members = startCluster(3, 20);
        CairnServer lagging = followers(members).get(0);
        network.isolate(lagging.memberId());
        CairnServer leader = leader(members.stream().filter(s -> s != lagging).toList());
        for (int i = 0; i < 200; i++) {
            leader.client().kv().put(PutRequest.of(b("k" + i), b("v" + i))).join();
        }
        assertTrue(leader.node().raftLog().firstIndex() > lagging.node().appliedIndex() + 1,
                "the leader compacted past what the lagging member has");
        network.heal(lagging.memberId());
        await("the lagging member catches up", () -> "v199".equals(localValue(lagging, "k199")));
        assertTrue(lagging.peerNetwork().snapshotsReceived() >= 1, "it needed a snapshot");
        for (int i = 0; i < 200; i += 37) {
            assertEquals("v" + i, localValue(lagging, "k" + i));
        }
        // and it goes on replicating from the log afterwards
        leader.client().kv().put(PutRequest.of(b("later"), b("z"))).join();
        await("later write", () -> "z".equals(localValue(lagging, "later")));
    }

    /** A watch stream on {@code server} recording every event of one watcher from {@code startRevision}. */
    private static final class HistoryWatch implements java.util.concurrent.Flow.Subscriber<io.cairn.api.watch.WatchResponse> {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Object> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final io.cairn.api.watch.WatchStream stream;

        HistoryWatch(CairnServer server, String prefix, long startRevision) {
            stream = server.client().watch().openStream();
            stream.subscribe(this);
            stream.create(io.cairn.api.watch.WatchCreateRequest.prefix(b(prefix)).withStartRevision(startRevision));
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(io.cairn.api.watch.WatchResponse response) {
            if (response.canceled()) {
                failures.add(response);
            }
            response.events().forEach(e -> events.add(e.kv().modRevision() + " " + e.type() + " " + e.kv().key().toUtf8()));
        }

        @Override
        public void onError(Throwable throwable) {
            failures.add(throwable);
        }

        @Override
        public void onComplete() {}

        /** The events up to {@code revision}, once the last of them arrived. */
        List<String> until(long revision) {
            await("watch events up to " + revision + " (failures " + failures + ")", () -> !failures.isEmpty()
                    || (!events.isEmpty() && Long.parseLong(events.getLast().split(" ")[0]) >= revision));
            stream.close();
            assertEquals(List.of(), failures);
            return List.copyOf(events);
        }
    }

    @Test
    void membersThatCaughtUpFromASnapshotServeTheWholeWatchHistory() {
        List<CairnServer> members = startCluster(3, 20);
        CairnServer leader = leader(members);
        long first = 0;
        for (int i = 0; i < 30; i++) {
            long revision = leader.client().kv().put(PutRequest.of(b("w/" + i), b("v"))).join().header().revision();
            first = first == 0 ? revision : first;
        }
        CairnServer lagging = followers(members).get(0);
        String lastBefore = "w/29";
        await("the follower has every write", () -> "v".equals(localValue(lagging, lastBefore)));
        // a watcher in sync on the follower, served from the hub's window when the snapshot arrives
        HistoryWatch live = new HistoryWatch(lagging, "w/", first);
        network.isolate(lagging.memberId());
        CairnServer current = leader(members.stream().filter(s -> s != lagging).toList());
        for (int i = 30; i < 200; i++) {
            current.client().kv().put(PutRequest.of(b("w/" + i), b("v"))).join();
        }
        network.heal(lagging.memberId());
        await("the follower catches up", () -> "v".equals(localValue(lagging, "w/199")));
        assertTrue(lagging.peerNetwork().snapshotsReceived() >= 1, "it needed a snapshot");

        // a new member (start() returns once it caught up from its snapshot), watched at once
        current.client().cluster().memberAdd(MemberAddRequest.learner(List.of(peerUrl(4).toString()))).join();
        Map<String, List<URI>> all = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            all.put("n" + i, List.of(peerUrl(i)));
        }
        CairnServer joiner = member(4, all, 20).initialClusterState(CairnServer.InitialClusterState.EXISTING).start();
        servers.add(joiner);
        HistoryWatch early = new HistoryWatch(joiner, "w/", first);
        await("the new member catches up", () -> "v".equals(localValue(joiner, "w/199")));
        assertTrue(joiner.peerNetwork().snapshotsReceived() >= 1, "it needed a snapshot");

        long last = current.client().kv().put(PutRequest.of(b("w/last"), b("v"))).join().header().revision();
        await("every member has the last write", () -> servers.stream().filter(s -> s.failure() == null)
                .allMatch(s -> "v".equals(localValue(s, "w/last"))));
        List<String> expected = new HistoryWatch(current, "w/", first).until(last);
        assertEquals(201, expected.size(), "one event per write: " + expected);
        assertSameEvents(expected, live.until(last), "the follower's watcher in sync before its snapshot");
        assertSameEvents(expected, early.until(last), "the new member's watcher opened as it started");
        assertSameEvents(expected, new HistoryWatch(lagging, "w/", first).until(last), "a watch opened later on the follower");
        assertSameEvents(expected, new HistoryWatch(joiner, "w/", first).until(last), "a watch opened later on the new member");
    }

    /** Fails with the first difference only (the lists are long). */
    private static void assertSameEvents(List<String> expected, List<String> actual, String what) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "nothing";
            String got = i < actual.size() ? actual.get(i) : "nothing";
            if (!want.equals(got)) {
                fail(what + ": " + actual.size() + " events instead of " + expected.size() + "; event " + i
                        + " is [" + got + "] instead of [" + want + "]");
            }
        }
    }

    @Test
    void restartedMemberCatchesUpFromTheLogOrASnapshot() {
        List<CairnServer> members = startCluster(3, 30);
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("n" + i, List.of(peerUrl(i)));
        }
        CairnServer stopped = followers(members).get(0);
        int index = Integer.parseInt(stopped.name().substring(1));
        CairnServer leader = leader(members);
        for (int round = 0; round < 2; round++) {
            // round 0: few writes, the log still holds them; round 1: many, past a compaction
            int writes = round == 0 ? 10 : 150;
            stopped.close();
            servers.remove(stopped);
            for (int i = 0; i < writes; i++) {
                leader.client().kv().put(PutRequest.of(b("r" + round + "-" + i), b("v"))).join();
            }
            stopped = member(index, initial, 30).start();
            servers.add(stopped);
            CairnServer restarted = stopped;
            String last = "r" + round + "-" + (writes - 1);
            await("the restarted member has " + last, () -> "v".equals(localValue(restarted, last)));
            if (round == 0) {
                assertEquals(0, restarted.peerNetwork().snapshotsReceived(), "caught up from the log");
            } else {
                assertTrue(restarted.peerNetwork().snapshotsReceived() >= 1, "caught up from a snapshot");
            }
        }
    }

    @Test
    void newMemberJoinsFromASnapshotAfterCompaction() {
        List<CairnServer> members = startCluster(3, 20);
        Cairn client = members.get(0).client();
        for (int i = 0; i < 100; i++) {
            client.kv().put(PutRequest.of(b("k" + i), b("v" + i))).join();
        }
        await("published", () -> client.cluster().memberList(new MemberListRequest(true)).join().members().stream()
                .noneMatch(m -> m.name().isEmpty()));
        client.cluster().memberAdd(MemberAddRequest.learner(List.of(peerUrl(4).toString()))).join();
        Map<String, List<URI>> all = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            all.put("n" + i, List.of(peerUrl(i)));
        }
        CairnServer joiner = member(4, all, 20).initialClusterState(CairnServer.InitialClusterState.EXISTING).start();
        servers.add(joiner);
        await("the new member has everything", () -> "v99".equals(localValue(joiner, "k99")));
        assertTrue(joiner.peerNetwork().snapshotsReceived() >= 1);
        assertEquals(4, joiner.members().members().size(), "the member table travels in the snapshot");
    }

    @Test
    void moveLeaderHandsLeadershipOver() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer leader = leader(members);
        CairnServer target = followers(members).get(0);
        assertEquals(ErrorCode.NOT_LEADER.message(), failure(target.client().maintenance()
                .moveLeader(new MoveLeaderRequest(leader.memberId()))).getMessage());
        assertEquals(ErrorCode.BAD_LEADER_TRANSFEREE.message(), failure(leader.client().maintenance()
                .moveLeader(new MoveLeaderRequest(424242))).getMessage());
        leader.client().maintenance().moveLeader(new MoveLeaderRequest(target.memberId())).join();
        await("the target leads", target::isLeader);
        assertEquals(target.memberId(), members.get(0).client().maintenance().status().join().leader());
        target.client().kv().put(PutRequest.of(b("k"), b("v"))).join();
    }

    @Test
    void aLeaderRanksTheUpToDateFollowerFirstForAHandOver() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer lagging = followers(members).get(0);
        network.isolate(lagging.memberId());
        CairnServer leader = leader(members.stream().filter(s -> s != lagging).toList());
        CairnServer upToDate = members.stream().filter(s -> s != lagging && s != leader).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
            leader.client().kv().put(PutRequest.of(b("k" + i), b("v" + i))).join();
        }
        assertEquals(List.of(upToDate.memberId(), lagging.memberId()), leader.leadershipTransferees().join(),
                "the follower that has every entry first, the cut-off one last");
        assertEquals(List.of(), upToDate.leadershipTransferees().join(), "a follower ranks no one");
        network.heal(lagging.memberId());
    }

    @Test
    void leaseSurvivesLeaderChange() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer leader = leader(members);
        long lease = leader.client().lease().grant(new LeaseGrantRequest(30, 0)).join().id();
        leader.client().kv().put(PutRequest.of(b("leased"), b("v")).withLease(lease)).join();
        CairnServer next = followers(members).get(0);
        leader.client().maintenance().moveLeader(new MoveLeaderRequest(next.memberId())).join();
        await("new leader", next::isLeader);
        long ttl = next.client().lease().timeToLive(new LeaseTimeToLiveRequest(lease, false)).join().ttl();
        assertTrue(ttl > 20, "the new leader keeps the lease with (at least) its remaining TTL, got " + ttl);
        for (CairnServer s : members) {
            assertEquals("v", localValue(s, "leased"));
        }
    }

    @Test
    void faultInjectionFileCutsAMemberOffAndHealsIt() throws Exception {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("n" + i, List.of(peerUrl(i)));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            CairnServer.Builder builder = member(i, initial, 10_000).faultInjectionFile(dir.resolve("faults-n" + i));
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r))); // a thread each: every start waits for the others
        }
        List<CairnServer> members = starting.stream().map(CompletableFuture::join).toList();
        servers.addAll(members);
        CairnServer old = leader(members);
        java.nio.file.Files.writeString(dir.resolve("faults-" + old.name()), "drop *   # cut off\n");
        List<CairnServer> rest = members.stream().filter(s -> s != old).toList();
        await("a new leader among the others", () -> rest.stream().anyMatch(CairnServer::isLeader));
        CairnServer next = leader(rest);
        next.client().kv().put(PutRequest.of(b("during"), b("cut"))).join();
        assertEquals(null, localValue(old, "during"));
        java.nio.file.Files.writeString(dir.resolve("faults-" + old.name()),
                "delay " + Long.toHexString(next.memberId()) + " 50\n");
        await("the healed member catches up", () -> "cut".equals(localValue(old, "during")));
    }

    @Test
    void faultRulesParse() {
        FaultInjectingPeers.Rules rules = FaultInjectingPeers.Rules.parse(List.of("# comment", "drop 1f", "",
                "delay A 300 # late"));
        assertTrue(rules.drops(0x1f));
        assertFalse(rules.drops(0xa));
        assertEquals(300L, rules.delayMillis().get(0xaL));
        assertTrue(FaultInjectingPeers.Rules.parse(List.of("drop *")).drops(42));
        assertInstanceOf(IllegalArgumentException.class, org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> FaultInjectingPeers.Rules.parse(List.of("cut n1"))));
    }

    @Test
    void followersForwardKeepAlivesAndTimeToLiveAndOnlyTheLeaderExpires() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer follower = followers(members).get(0);
        Cairn client = follower.client();
        long kept = client.lease().grant(new LeaseGrantRequest(2, 0)).join().id();
        long expiring = client.lease().grant(new LeaseGrantRequest(2, 0)).join().id();
        client.kv().put(PutRequest.of(b("kept"), b("1")).withLease(kept)).join();
        client.kv().put(PutRequest.of(b("expiring"), b("1")).withLease(expiring)).join();
        var ttl = client.lease().timeToLive(new LeaseTimeToLiveRequest(kept, true)).join();
        assertEquals(2, ttl.grantedTtl());
        assertEquals(List.of(b("kept")), ttl.keys());
        assertEquals(-1, client.lease().timeToLive(new LeaseTimeToLiveRequest(987654, false)).join().ttl());
        // keep one lease alive through the follower until the other one is revoked by the leader
        while (localValue(follower, "expiring") != null) {
            assertEquals(2, client.lease().keepAliveOnce(kept).join().ttl());
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (CairnServer s : members) {
            await("expired everywhere", () -> localValue(s, "expiring") == null);
        }
        assertEquals("1", localValue(follower, "kept"));
        assertEquals(0, client.lease().keepAliveOnce(expiring).join().ttl(), "a revoked lease renews to ttl 0");
    }

    @Test
    void proposalAtAnIsolatedLeaderFailsWithLeaderChanged() {
        List<CairnServer> members = startCluster(3, 10_000);
        CairnServer old = leader(members);
        network.isolate(old.memberId());
        CompletableFuture<?> stranded = old.client().kv().put(PutRequest.of(b("lost"), b("x")));
        List<CairnServer> rest = members.stream().filter(s -> s != old).toList();
        CairnServer next = leader(rest);
        next.client().kv().put(PutRequest.of(b("kept"), b("y"))).join();
        network.heal(old.memberId());
        Throwable error = failure(stranded);
        assertInstanceOf(CairnException.class, error);
        assertEquals(ErrorCode.LEADER_CHANGED.message(), error.getMessage());
        await("the old leader has the new leader's write", () -> "y".equals(localValue(old, "kept")));
        assertEquals(null, localValue(old, "lost"));
        assertNotEquals(old.memberId(), next.memberId());
    }
}
