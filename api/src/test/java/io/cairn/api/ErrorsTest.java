package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorsTest {

    /** etcd's code and message, copied from api/v3rpc/rpctypes/error.go (etcd 3.6) for the errors clients test for. */
    record EtcdError(ErrorCode code, StatusCode status, String message) {}

    static Stream<EtcdError> etcdErrors() {
        return Stream.of(
                new EtcdError(ErrorCode.EMPTY_KEY, StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"),
                new EtcdError(ErrorCode.DUPLICATE_KEY, StatusCode.INVALID_ARGUMENT,
                        "etcdserver: duplicate key given in txn request"),
                new EtcdError(ErrorCode.TOO_MANY_OPS, StatusCode.INVALID_ARGUMENT,
                        "etcdserver: too many operations in txn request"),
                new EtcdError(ErrorCode.REQUEST_TOO_LARGE, StatusCode.INVALID_ARGUMENT, "etcdserver: request is too large"),
                new EtcdError(ErrorCode.COMPACTED, StatusCode.OUT_OF_RANGE,
                        "etcdserver: mvcc: required revision has been compacted"),
                new EtcdError(ErrorCode.FUTURE_REVISION, StatusCode.OUT_OF_RANGE,
                        "etcdserver: mvcc: required revision is a future revision"),
                new EtcdError(ErrorCode.NO_SPACE, StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
                new EtcdError(ErrorCode.LEASE_NOT_FOUND, StatusCode.NOT_FOUND, "etcdserver: requested lease not found"),
                new EtcdError(ErrorCode.LEASE_EXISTS, StatusCode.FAILED_PRECONDITION, "etcdserver: lease already exists"),
                new EtcdError(ErrorCode.LEASE_TTL_TOO_LARGE, StatusCode.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
                new EtcdError(ErrorCode.MEMBER_NOT_FOUND, StatusCode.NOT_FOUND, "etcdserver: member not found"),
                new EtcdError(ErrorCode.MEMBER_EXISTS, StatusCode.FAILED_PRECONDITION, "etcdserver: member ID already exist"),
                new EtcdError(ErrorCode.PEER_URL_EXISTS, StatusCode.FAILED_PRECONDITION,
                        "etcdserver: Peer URLs already exists"),
                new EtcdError(ErrorCode.NO_LEADER, StatusCode.UNAVAILABLE, "etcdserver: no leader"),
                new EtcdError(ErrorCode.NOT_LEADER, StatusCode.FAILED_PRECONDITION, "etcdserver: not leader"),
                new EtcdError(ErrorCode.TIMEOUT, StatusCode.UNAVAILABLE, "etcdserver: request timed out"),
                new EtcdError(ErrorCode.STOPPED, StatusCode.UNAVAILABLE, "etcdserver: server stopped"),
                new EtcdError(ErrorCode.CORRUPT, StatusCode.DATA_LOSS, "etcdserver: corrupt cluster"),
                new EtcdError(ErrorCode.PERMISSION_DENIED, StatusCode.PERMISSION_DENIED, "etcdserver: permission denied"),
                new EtcdError(ErrorCode.INVALID_AUTH_TOKEN, StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token"),
                new EtcdError(ErrorCode.WATCH_CANCELED, StatusCode.CANCELLED, "etcdserver: watch canceled"),
                new EtcdError(ErrorCode.ELECTION_NO_LEADER, StatusCode.UNKNOWN, "election: no leader"));
    }

    @ParameterizedTest
    @MethodSource("etcdErrors")
    void errorCodesCarryEtcdsStatusAndExactMessage(EtcdError expected) {
        assertEquals(expected.status(), expected.code().status());
        assertEquals(expected.message(), expected.code().message());
        CairnException exception = expected.code().toException();
        assertEquals(expected.message(), exception.getMessage());
        assertEquals(expected.status(), exception.status());
        assertTrue(exception.is(expected.code()));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyMessageMapsBackToItsCode(ErrorCode code) {
        assertEquals(code, ErrorCode.fromMessage(code.message()).orElseThrow());
        CairnException received = CairnException.fromStatus(code.status(), code.message());
        assertEquals(code, received.errorCode().orElseThrow());
        assertEquals(code.message(), received.getMessage());
    }

    @Test
    void messagesAreUniqueAndAllEtcdServerOnesArePrefixed() {
        assertEquals(ErrorCode.values().length,
                Arrays.stream(ErrorCode.values()).map(ErrorCode::message).distinct().count());
        Arrays.stream(ErrorCode.values())
                .filter(code -> !code.name().startsWith("ELECTION_"))
                .forEach(code -> assertTrue(code.message().startsWith("etcdserver: "), code::name));
    }

    @Test
    void compactedErrorsBecomeCompactedExceptions() {
        CairnException fromWire = CairnException.fromStatus(StatusCode.OUT_OF_RANGE,
                "etcdserver: mvcc: required revision has been compacted");
        CompactedException compacted = assertInstanceOf(CompactedException.class, fromWire);
        assertEquals(OptionalLong.empty(), compacted.compactRevision(), "etcd's wire error carries no revision");

        CompactedException embedded = new CompactedException(17);
        assertEquals(OptionalLong.of(17), embedded.compactRevision());
        assertEquals(ErrorCode.COMPACTED.message(), embedded.getMessage());
        assertEquals(StatusCode.OUT_OF_RANGE, embedded.status());
        assertThrows(IllegalArgumentException.class, () -> new CompactedException(-1));
    }

    @Test
    void unknownMessagesKeepTheirStatusWithoutAnErrorCode() {
        CairnException other = CairnException.fromStatus(StatusCode.INTERNAL, "disk on fire");
        assertEquals(StatusCode.INTERNAL, other.status());
        assertFalse(other.errorCode().isPresent());
        assertEquals("disk on fire", other.getMessage());
    }

    @Test
    void anEtcdMessageWithAnotherStatusIsNotThatError() {
        CairnException mismatched = CairnException.fromStatus(StatusCode.INTERNAL, "etcdserver: no leader");
        assertFalse(mismatched.errorCode().isPresent());
    }

    @Test
    void theOriginalConstructorsStillWork() {
        CairnException plain = new CairnException("boom");
        assertEquals(StatusCode.UNKNOWN, plain.status());
        assertEquals("boom", plain.getMessage());
        IllegalStateException cause = new IllegalStateException();
        assertEquals(cause, new CairnException("boom", cause).getCause());
    }

    @Test
    void statusCodesHaveGrpcWireNumbers() {
        assertEquals(0, StatusCode.OK.value());
        assertEquals(3, StatusCode.INVALID_ARGUMENT.value());
        assertEquals(11, StatusCode.OUT_OF_RANGE.value());
        assertEquals(14, StatusCode.UNAVAILABLE.value());
        assertEquals(16, StatusCode.UNAUTHENTICATED.value());
        for (StatusCode code : StatusCode.values()) {
            assertEquals(code, StatusCode.fromValue(code.value()));
        }
        assertEquals(StatusCode.UNKNOWN, StatusCode.fromValue(99));
        assertEquals(StatusCode.UNKNOWN, StatusCode.fromValue(-1));
    }
}
