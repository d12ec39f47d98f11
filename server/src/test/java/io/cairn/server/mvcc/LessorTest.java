package io.cairn.server.mvcc;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseGrantResponse;
import io.cairn.api.lease.LeaseRevokeResponse;
import io.cairn.api.lease.LeaseStatus;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.watch.Event;
import io.cairn.server.lease.Lessor;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lessor: replicated grant / revoke / checkpoint, and the primary's expiry on a test clock. */
class LessorTest extends MvccTestSupport {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private Lessor lessor;

    @Override
    MvccStore.Options options() {
        return MvccStore.Options.defaults(id -> lessor.exists(id));
    }

    @BeforeEach
    void openLessor() {
        lessor = Lessor.open(backend, 5);
    }

    private void restartBoth() {
        store.close();
        backend = BACKENDS.reopen(backend);
        lessor = Lessor.open(backend, 5);
        store = MvccStore.open(backend, options());
    }

    private long grant(long id, long ttl) {
        return lessor.applyGrant(store, nextIndex(), new LeaseGrantRequest(ttl, id)).response().id();
    }

    @Test
    void grantRevokeAndTheKeysOfALease() {
        LeaseGrantResponse granted = lessor.applyGrant(store, nextIndex(), new LeaseGrantRequest(60, 7)).response();
        assertEquals(7, granted.id());
        assertEquals(60, granted.ttl());
        assertEquals(5, lessor.applyGrant(store, nextIndex(), new LeaseGrantRequest(1, 8)).response().ttl(),
                "a short TTL is raised to the minimum");
        assertEquals(1, store.currentRevision(), "granting does not touch the key space");
        assertEquals(raftIndex, store.consistentIndex());
        put("a", "1", 7);
        put("b", "1", 7);
        put("c", "1", 8);
        assertTrue(assertThrows(CairnException.class, () -> put("d", "1", 9)).is(ErrorCode.LEASE_NOT_FOUND));

        WriteResult<LeaseRevokeResponse> revoked = lessor.applyRevoke(store, nextIndex(), 7);
        assertEquals(5, revoked.revision(), "both keys go at one revision");
        assertEquals(5, revoked.response().header().revision());
        assertEquals(List.of("a", "b"), revoked.events().stream().map(e -> e.kv().key().toUtf8()).toList());
        assertTrue(revoked.events().stream().allMatch(e -> e.type() == Event.Type.DELETE));
        assertEquals(List.of("c"), keys(store.range(RangeRequest.all())));
        assertFalse(lessor.exists(7));
        assertEquals(List.of(new LeaseStatus(8)), lessor.leases(store).leases());
        assertTrue(assertThrows(CairnException.class, () -> lessor.applyRevoke(store, nextIndex(), 7))
                .is(ErrorCode.LEASE_NOT_FOUND));
        assertEquals(raftIndex, store.consistentIndex(), "a rejected revoke is still applied");
    }

    @Test
    void grantErrorsAndChosenIds() {
        grant(7, 10);
        assertTrue(assertThrows(CairnException.class, () -> grant(7, 10)).is(ErrorCode.LEASE_EXISTS));
        assertTrue(assertThrows(CairnException.class, () -> grant(9, Lessor.MAX_TTL_SECONDS + 1))
                .is(ErrorCode.LEASE_TTL_TOO_LARGE));
        long chosen = grant(0, 10);
        assertTrue(chosen > 0 && chosen != 7);
        // another store applying the same entry at the same index chooses the same id
        var otherBackend = BACKENDS.create();
        try {
            Lessor other = Lessor.open(otherBackend, 5);
            MvccStore otherStore = MvccStore.open(otherBackend, MvccStore.Options.defaults(other::exists));
            assertEquals(chosen, other.applyGrant(otherStore, raftIndex, new LeaseGrantRequest(10, 0)).response().id());
        } finally {
            BACKENDS.destroy(otherBackend);
        }
    }

    @Test
    void theTableSurvivesARestart() {
        grant(7, 60);
        grant(8, 30);
        lessor.applyCheckpoint(store, nextIndex(), 8, 12);
        put("a", "1", 7);
        restartBoth();
        assertTrue(lessor.exists(7) && lessor.exists(8));
        assertEquals(List.of(b("a")), store.keysOfLease(7));
        lessor.promote(0, 2 * SECOND);
        LeaseTimeToLiveResponse ttl = lessor.timeToLive(store, new LeaseTimeToLiveRequest(8, false), 0);
        assertEquals(14, ttl.ttl(), "the checkpointed remaining TTL plus the promotion extension");
        assertEquals(30, ttl.grantedTtl());
    }

    @Test
    void expiryOnThePrimary() {
        grant(7, 10);
        grant(8, 20);
        put("a", "1", 7);
        assertThrows(IllegalStateException.class, () -> lessor.expired(0, 10), "only the primary tracks expiry");
        lessor.promote(0, 0);
        assertEquals(List.of(), lessor.expired(9 * SECOND, 10));
        assertEquals(10, lessor.renew(store, 7, 5 * SECOND).ttl(), "a keep-alive restarts the full TTL");
        assertEquals(List.of(), lessor.expired(14 * SECOND, 10));
        assertEquals(List.of(7L), lessor.expired(15 * SECOND, 10));
        assertEquals(0, lessor.renew(store, 7, 15 * SECOND).ttl(), "an expired lease cannot be kept alive");
        assertEquals(List.of(7L, 8L), lessor.expired(20 * SECOND, 10));
        assertEquals(List.of(7L), lessor.expired(20 * SECOND, 1), "at most max, earliest first");

        LeaseTimeToLiveResponse withKeys = lessor.timeToLive(store, new LeaseTimeToLiveRequest(7, true), 12 * SECOND);
        assertEquals(List.of(b("a")), withKeys.keys());
        assertEquals(-1, lessor.timeToLive(store, new LeaseTimeToLiveRequest(99, false), 0).ttl());

        // the primary proposes the revoke; every member applies it
        lessor.applyRevoke(store, nextIndex(), 7);
        assertEquals(List.of(8L), lessor.expired(20 * SECOND, 10));
        grant(9, 10); // granted while primary: its TTL starts when the clock is next seen
        assertEquals(List.of(8L), lessor.expired(21 * SECOND, 10));
        assertEquals(List.of(8L, 9L), lessor.expired(31 * SECOND, 10));
        assertEquals(0, lessor.renew(store, 99, 0).ttl(), "keep-alive of an unknown lease answers ttl 0");
        lessor.demote();
        assertThrows(IllegalStateException.class, () -> lessor.renew(store, 8, 0));
        assertEquals(0, store.range(RangeRequest.all().withCountOnly(true)).count(), "the revoke deleted a");
        assertTrue(assertThrows(CairnException.class,
                () -> store.applyPut(nextIndex(), PutRequest.of(b("z"), b("1")).withLease(7))).is(ErrorCode.LEASE_NOT_FOUND));
    }
}
