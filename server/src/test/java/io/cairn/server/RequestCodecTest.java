package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestCodecTest {

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    static Stream<Object> requests() {
        TxnRequest nested = TxnRequest.empty()
                .when(Compare.value(b("k"), Compare.Result.EQUAL, b("v")), Compare.modRevision(b("a"), Compare.Result.LESS, 5).withPrefix())
                .then(PutRequest.of(b("x"), b("1")).withLease(-7), RangeRequest.prefix(b("p")).withLimit(3).withRevision(9)
                        .withSort(RangeRequest.SortTarget.MOD, RangeRequest.SortOrder.DESCEND).withKeysOnly(true)
                        .withModRevisionBounds(1, 2).withCreateRevisionBounds(3, 4).withSerializable(true))
                .otherwise(DeleteRangeRequest.prefix(b("d")).withPrevKv(true));
        return Stream.of(
                PutRequest.of(b("key"), Bytes.of(new byte[] {0, (byte) 0xFF, 1})).withPrevKv(true).withIgnoreLease(true),
                PutRequest.of(b("k"), Bytes.EMPTY).withIgnoreValue(true).withLease(Long.MAX_VALUE),
                DeleteRangeRequest.of(b("a")).withRangeEnd(Bytes.NUL),
                nested,
                TxnRequest.empty().then(nested).otherwise(TxnRequest.empty().then(nested)),
                TxnRequest.empty(),
                CompactionRequest.of(42).withPhysical(true),
                new LeaseGrantRequest(60, 0), new LeaseGrantRequest(5, 1234567890123L),
                new LeaseRevokeRequest(99), new RequestCodec.LeaseCheckpoint(5, 3),
                new io.cairn.api.maintenance.AlarmRequest(io.cairn.api.maintenance.AlarmRequest.Action.ACTIVATE,
                        Long.MAX_VALUE, io.cairn.api.maintenance.AlarmType.NOSPACE),
                new io.cairn.api.maintenance.AlarmRequest(io.cairn.api.maintenance.AlarmRequest.Action.DEACTIVATE, 0,
                        io.cairn.api.maintenance.AlarmType.NONE),
                new RequestCodec.Guarded(17, PutRequest.of(b("g"), b("1"))),
                new RequestCodec.Guarded(3, new io.cairn.server.auth.AuthChange.UserAdd("u", "pbkdf2-sha256$1$AA$BB", false)),
                new io.cairn.server.auth.AuthChange.Enable(), new io.cairn.server.auth.AuthChange.Disable(),
                new io.cairn.server.auth.AuthChange.UserAdd("nopw", "", true),
                new io.cairn.server.auth.AuthChange.UserDelete("u"),
                new io.cairn.server.auth.AuthChange.UserChangePassword("u", "h"),
                new io.cairn.server.auth.AuthChange.UserGrantRole("u", "r"),
                new io.cairn.server.auth.AuthChange.UserRevokeRole("u", "r"),
                new io.cairn.server.auth.AuthChange.RoleAdd("r"), new io.cairn.server.auth.AuthChange.RoleDelete("r"),
                new io.cairn.server.auth.AuthChange.RoleGrantPermission("r", new io.cairn.api.auth.Permission(
                        io.cairn.api.auth.Permission.Type.READWRITE, b("a"), Bytes.NUL)),
                new io.cairn.server.auth.AuthChange.RoleRevokePermission("r", b("a"), b("b")),
                new io.cairn.server.auth.AuthChange.SimpleToken("u", "tok.1"));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void roundTrips(Object request) {
        byte[] data = RequestCodec.encode(0x1234_5678_9ABCL, request);
        RequestCodec.LogRequest decoded = RequestCodec.decode(data);
        assertEquals(0x1234_5678_9ABCL, decoded.requestId());
        assertEquals(request, decoded.request());
        // every truncation is refused, never misread
        for (int cut = 0; cut < data.length; cut++) {
            byte[] truncated = Arrays.copyOf(data, cut);
            assertThrows(IllegalArgumentException.class, () -> RequestCodec.decode(truncated), "cut at " + cut);
        }
    }

    @Test
    void tagsStayWhereTheLogHasThem() {
        // entries already in logs decode by these numbers: ALARM 11 came first, auth took 12 and 13
        assertEquals(11, RequestCodec.encode(0, new io.cairn.api.maintenance.AlarmRequest(
                io.cairn.api.maintenance.AlarmRequest.Action.GET, 0, io.cairn.api.maintenance.AlarmType.NONE))[2]);
        assertEquals(12, RequestCodec.encode(0, new io.cairn.server.auth.AuthChange.Enable())[2]);
        assertEquals(13, RequestCodec.encode(0, new RequestCodec.Guarded(1, new LeaseRevokeRequest(3)))[2]);
    }

    @Test
    void putIsCompact() {
        byte[] data = RequestCodec.encode(1, PutRequest.of(b("foo"), b("bar")));
        assertTrue(data.length <= 16, "a small put takes " + data.length + " bytes");
    }

    @Test
    void refusesUnknownVersionTagAndTrailingBytes() {
        byte[] good = RequestCodec.encode(1, new LeaseRevokeRequest(3));
        byte[] version = good.clone();
        version[0] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RequestCodec.decode(version));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] tag = good.clone();
        tag[2] = 99;
        assertThrows(IllegalArgumentException.class, () -> RequestCodec.decode(tag));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        e = assertThrows(IllegalArgumentException.class, () -> RequestCodec.decode(trailing));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequestCodec.encode(1, "not a request"));
    }
}
