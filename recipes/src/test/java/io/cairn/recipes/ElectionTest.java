package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.KeyValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ElectionTest extends EmbeddedCairn {

    @Test
    void oneLeaderAtATimeAndTheNextAfterResignOrLeaseLoss() throws Exception {
        try (Session a = Session.create(cairn, Duration.ofSeconds(10));
             Session b = Session.create(cairn, Duration.ofSeconds(10));
             Session observer = Session.create(cairn, Duration.ofSeconds(10))) {
            Election first = new Election(a, "election/basic");
            Election second = new Election(b, "election/basic");
            Election watcher = new Election(observer, "election/basic");
            assertTrue(watcher.leader().isEmpty());
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (AutoCloseable observing = watcher.observe(kv -> seen.add(kv.value().toUtf8()))) {
                first.campaign("a");
                assertEquals("a", seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                CompletableFuture<Void> campaign = CompletableFuture.runAsync(() -> {
                    try {
                        second.campaign("b");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitKey(io.cairn.api.Bytes.fromUtf8("election/basic/" + Long.toHexString(b.leaseId())));
                assertFalse(campaign.isDone(), "one leader at a time");
                first.proclaim("a2");
                assertEquals("a2", seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertEquals("a2", watcher.leader().orElseThrow().value().toUtf8());

                first.resign();
                campaign.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertEquals("b", seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertTrue(second.isLeader());
                assertFalse(first.isLeader());

                revoke(b.leaseId()); // the leader's lease ends: nobody leads until someone campaigns
                eventually("no leader after the lease ended", () -> {
                    try {
                        return watcher.leader().isEmpty();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                first.campaign("a3");
                assertEquals("a3", seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                first.resign();
            }
        }
    }

    @Test
    void leaderLatchesHaveAtMostOneLeaderAndHandOverWhenTheLeaderGoes() throws Exception {
        int members = 3;
        AtomicInteger leaders = new AtomicInteger();
        AtomicInteger doubleLeadership = new AtomicInteger();
        AtomicInteger gained = new AtomicInteger();
        List<LeaderLatch> latches = new ArrayList<>();
        try {
            for (int i = 0; i < members; i++) {
                String value = "member-" + i;
                latches.add(LeaderLatch.start(cairn, "election/latch", value, Duration.ofSeconds(3),
                        new LeaderLatch.Listener() {
                            @Override
                            public void isLeader() {
                                gained.incrementAndGet();
                                leaders.incrementAndGet();
                                // when told it leads, the server agrees: the election's leader is this member
                                try {
                                    String leading = cairn.election().leader(new io.cairn.api.election.LeaderRequest(
                                            io.cairn.api.Bytes.fromUtf8("election/latch"))).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                                            .kv().value().toUtf8();
                                    if (!leading.equals(value)) {
                                        doubleLeadership.incrementAndGet();
                                    }
                                } catch (Exception e) {
                                    doubleLeadership.incrementAndGet();
                                }
                            }

                            @Override
                            public void notLeader() {
                                leaders.decrementAndGet();
                            }
                        }));
            }
            eventually("a leader", () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
            LeaderLatch leader = latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElseThrow();

            leader.close(); // resigns: another member takes over
            latches.remove(leader);
            eventually("a new leader after close", () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
            LeaderLatch next = latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElseThrow();

            revoke(next.leaderKey().lease()); // its lease is lost: the other takes over, and it campaigns again
            eventually("leadership moved after the lease loss", () -> gained.get() >= 3);
            eventually("one leader again", () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
            assertEquals(0, doubleLeadership.get(), "a latch was told it leads while another member led");
        } finally {
            latches.forEach(LeaderLatch::close);
        }
        assertEquals(0, leaders.get(), "every isLeader was followed by notLeader");
    }
}
