package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.cluster.Member;
import io.cairn.api.cluster.MemberAddRequest;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.api.election.LeaderKey;
import io.cairn.api.election.ProclaimRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.api.maintenance.DowngradeInfo;
import io.cairn.api.maintenance.HashKVResponse;
import io.cairn.api.maintenance.HashResponse;
import io.cairn.api.maintenance.SnapshotResponse;
import io.cairn.api.maintenance.StatusResponse;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchCreateRequest.Filter;
import io.cairn.api.watch.WatchResponse;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Defaults, validation and immutability of the watch, lease, cluster, maintenance and election records. */
class ServiceRecordsTest {

    private static final Bytes KEY = Bytes.fromUtf8("k");
    private static final ResponseHeader HEADER = new ResponseHeader(1, 2, 3, 4);

    @Test
    void watchCreateDefaultsAndBuilders() {
        WatchCreateRequest request = WatchCreateRequest.of(KEY);
        assertEquals(new WatchCreateRequest(KEY, Bytes.EMPTY, 0, false, Set.of(), false, 0, false), request);
        WatchCreateRequest changed = WatchCreateRequest.prefix(KEY).withStartRevision(5).withProgressNotify(true)
                .withFilters(EnumSet.of(Filter.NOPUT)).withPrevKv(true).withWatchId(3).withFragment(true);
        assertEquals(new WatchCreateRequest(KEY, Bytes.fromUtf8("l"), 5, true, Set.of(Filter.NOPUT), true, 3, true),
                changed);
    }

    @Test
    void watchCreateCopiesFiltersAndRejectsNegativeIds() {
        Set<Filter> filters = EnumSet.of(Filter.NODELETE);
        WatchCreateRequest request = WatchCreateRequest.of(KEY).withFilters(filters);
        filters.add(Filter.NOPUT);
        assertEquals(Set.of(Filter.NODELETE), request.filters());
        assertThrows(UnsupportedOperationException.class, () -> request.filters().add(Filter.NOPUT));
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> WatchCreateRequest.of(KEY).withWatchId(-1));
        assertEquals("watchId must not be negative, got -1", thrown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WatchCreateRequest.of(KEY).withStartRevision(-1));
    }

    @Test
    void progressNotificationIsRecognisedAsEtcdsClientDoes() {
        KeyValue kv = new KeyValue(KEY, 2, 2, 1, KEY, 0);
        Event put = new Event(Event.Type.PUT, kv, Optional.empty());
        assertTrue(new WatchResponse(HEADER, -1, false, false, 0, "", false, List.of()).isProgressNotify());
        assertFalse(new WatchResponse(HEADER, 1, true, false, 0, "", false, List.of()).isProgressNotify());
        assertFalse(new WatchResponse(HEADER, 1, false, true, 0, "", false, List.of()).isProgressNotify());
        assertFalse(new WatchResponse(HEADER, 1, false, false, 0, "", false, List.of(put)).isProgressNotify());
        assertFalse(new WatchResponse(new ResponseHeader(1, 2, 0, 4), 1, false, false, 0, "", false, List.of())
                .isProgressNotify());
    }

    @Test
    void watchResponseCopiesEvents() {
        List<Event> events = new ArrayList<>();
        events.add(new Event(Event.Type.DELETE, new KeyValue(KEY, 0, 9, 0, Bytes.EMPTY, 0), Optional.empty()));
        WatchResponse response = new WatchResponse(HEADER, 1, false, false, 0, "", false, events);
        events.clear();
        assertEquals(1, response.events().size());
    }

    @Test
    void leaseRequests() {
        assertEquals(new LeaseGrantRequest(10, 0), LeaseGrantRequest.of(10));
        assertEquals(new LeaseGrantRequest(10, 99), LeaseGrantRequest.of(10).withId(99));
        assertThrows(IllegalArgumentException.class, () -> LeaseGrantRequest.of(-1));
        assertThrows(IllegalArgumentException.class, () -> LeaseGrantRequest.of(1).withId(-2));
        assertEquals(new LeaseTimeToLiveRequest(5, true), LeaseTimeToLiveRequest.of(5).withKeys(true));
        List<Bytes> keys = new ArrayList<>(List.of(KEY));
        LeaseTimeToLiveResponse response = new LeaseTimeToLiveResponse(HEADER, 5, -1, 10, keys);
        keys.clear();
        assertEquals(List.of(KEY), response.keys());
    }

    @Test
    void membersCopyTheirUrls() {
        List<String> peers = new ArrayList<>(List.of("http://10.0.0.1:2380"));
        Member member = new Member(0xabcL, "m1", peers, List.of(), true);
        peers.add("http://10.0.0.2:2380");
        assertEquals(List.of("http://10.0.0.1:2380"), member.peerUrls());
        assertEquals("abc", member.idHex());
        assertTrue(MemberAddRequest.learner(List.of("http://x:2380")).learner());
        assertFalse(MemberAddRequest.voter(List.of("http://x:2380")).learner());
        assertFalse(MemberListRequest.local().linearizable());
        assertThrows(NullPointerException.class, () -> new Member(1, null, List.of(), List.of(), false));
    }

    @Test
    void maintenanceRecords() {
        assertEquals(new AlarmRequest(AlarmRequest.Action.GET, 0, AlarmType.NONE), AlarmRequest.get());
        assertEquals(0xFFFF_FFFFL, new HashResponse(HEADER, 0xFFFF_FFFFL).hash());
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> new HashKVResponse(HEADER, 1L << 32, 0, 0));
        assertTrue(tooBig.getMessage().contains("unsigned 32-bit"));
        assertThrows(IllegalArgumentException.class, () -> new HashResponse(HEADER, -1));
        assertThrows(IllegalArgumentException.class, () -> new SnapshotResponse(HEADER, -1, Bytes.EMPTY, ""));
        List<String> errors = new ArrayList<>(List.of("NOSPACE"));
        StatusResponse status = new StatusResponse(HEADER, "3.6.0", 4096, 2, 10, 3, 10, errors, 2048, false, "3.6.0",
                0, DowngradeInfo.NONE);
        errors.clear();
        assertEquals(List.of("NOSPACE"), status.errors());
    }

    @Test
    void electionRecordsRejectNulls() {
        LeaderKey leader = new LeaderKey(Bytes.fromUtf8("e"), Bytes.fromUtf8("e/694d7"), 12, 0x694d7L);
        assertEquals(Bytes.fromUtf8("v"), new ProclaimRequest(leader, Bytes.fromUtf8("v")).value());
        assertThrows(NullPointerException.class, () -> new ProclaimRequest(null, Bytes.EMPTY));
        assertThrows(NullPointerException.class, () -> new LeaderKey(Bytes.EMPTY, null, 0, 0));
    }
}
