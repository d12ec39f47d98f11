package io.cairn.api;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The errors etcd's v3 API names, each with the gRPC status code etcd sends and etcd's exact message
 * (from etcd's {@code api/v3rpc/rpctypes/error.go}, etcd 3.6, and the concurrency errors of the
 * lock and election services). The server reports these conditions with exactly this code and
 * message, so etcd clients recognise them; the remote client maps a received message back with
 * {@link #fromMessage}.
 */
@Stable(since = "0.1")
public enum ErrorCode {
    // Requests
    EMPTY_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    KEY_NOT_FOUND(StatusCode.INVALID_ARGUMENT, "etcdserver: key not found"),
    VALUE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: value is provided"),
    LEASE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: lease is provided"),
    TOO_MANY_OPS(StatusCode.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
    DUPLICATE_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
    INVALID_CLIENT_API_VERSION(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid client api version"),
    INVALID_SORT_OPTION(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid sort option"),
    REQUEST_TOO_LARGE(StatusCode.INVALID_ARGUMENT, "etcdserver: request is too large"),
    TOO_MANY_REQUESTS(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: too many requests"),

    // MVCC
    /** Thrown as {@link CompactedException}, which carries the compact revision when known. */
    COMPACTED(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REVISION(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
    NO_SPACE(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),

    // Leases
    LEASE_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: requested lease not found"),
    LEASE_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE(StatusCode.OUT_OF_RANGE, "etcdserver: too large lease TTL"),

    // Watch
    WATCH_CANCELED(StatusCode.CANCELLED, "etcdserver: watch canceled"),

    // Membership
    MEMBER_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: member ID already exist"),
    PEER_URL_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED(StatusCode.FAILED_PRECONDITION,
            "etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_BAD_URLS(StatusCode.INVALID_ARGUMENT, "etcdserver: given member URLs are invalid"),
    MEMBER_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: member not found"),
    MEMBER_NOT_LEARNER(StatusCode.FAILED_PRECONDITION, "etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY(StatusCode.FAILED_PRECONDITION,
            "etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS(StatusCode.FAILED_PRECONDITION, "etcdserver: too many learner members in cluster"),
    CLUSTER_ID_MISMATCH(StatusCode.FAILED_PRECONDITION, "etcdserver: cluster ID mismatch"),

    // Authentication and authorisation
    ROOT_USER_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not have root role"),
    USER_ALREADY_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: user name already exists"),
    USER_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: user name is empty"),
    USER_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: user name not found"),
    ROLE_ALREADY_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: role name already exists"),
    ROLE_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: role name not found"),
    ROLE_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: role name is empty"),
    AUTH_FAILED(StatusCode.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_NOT_GIVEN(StatusCode.INVALID_ARGUMENT, "etcdserver: permission not given"),
    PERMISSION_DENIED(StatusCode.PERMISSION_DENIED, "etcdserver: permission denied"),
    ROLE_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED(StatusCode.FAILED_PRECONDITION, "etcdserver: authentication is not enabled"),
    INVALID_AUTH_TOKEN(StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token"),
    INVALID_AUTH_MGMT(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid auth management"),
    AUTH_OLD_REVISION(StatusCode.INVALID_ARGUMENT, "etcdserver: revision of auth store is old"),

    // Cluster health and leadership
    NO_LEADER(StatusCode.UNAVAILABLE, "etcdserver: no leader"),
    NOT_LEADER(StatusCode.FAILED_PRECONDITION, "etcdserver: not leader"),
    LEADER_CHANGED(StatusCode.UNAVAILABLE, "etcdserver: leader changed"),
    NOT_CAPABLE(StatusCode.FAILED_PRECONDITION, "etcdserver: not capable"),
    STOPPED(StatusCode.UNAVAILABLE, "etcdserver: server stopped"),
    TIMEOUT(StatusCode.UNAVAILABLE, "etcdserver: request timed out"),
    TIMEOUT_DUE_TO_LEADER_FAIL(StatusCode.UNAVAILABLE,
            "etcdserver: request timed out, possibly due to previous leader failure"),
    TIMEOUT_DUE_TO_CONNECTION_LOST(StatusCode.UNAVAILABLE,
            "etcdserver: request timed out, possibly due to connection lost"),
    TIMEOUT_WAIT_APPLIED_INDEX(StatusCode.UNAVAILABLE,
            "etcdserver: request timed out, waiting for the applied index took too long"),
    UNHEALTHY(StatusCode.UNAVAILABLE, "etcdserver: unhealthy cluster"),
    CORRUPT(StatusCode.DATA_LOSS, "etcdserver: corrupt cluster"),
    NOT_SUPPORTED_FOR_LEARNER(StatusCode.FAILED_PRECONDITION, "etcdserver: rpc not supported for learner"),
    BAD_LEADER_TRANSFEREE(StatusCode.FAILED_PRECONDITION, "etcdserver: bad leader transferee"),

    // Downgrade
    WRONG_DOWNGRADE_VERSION_FORMAT(StatusCode.INVALID_ARGUMENT, "etcdserver: wrong downgrade target version format"),
    INVALID_DOWNGRADE_TARGET_VERSION(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid downgrade target version"),
    CLUSTER_VERSION_UNAVAILABLE(StatusCode.FAILED_PRECONDITION,
            "etcdserver: cluster version not found during downgrade"),
    DOWNGRADE_IN_PROCESS(StatusCode.FAILED_PRECONDITION, "etcdserver: cluster has a downgrade job in progress"),
    NO_INFLIGHT_DOWNGRADE(StatusCode.FAILED_PRECONDITION, "etcdserver: no inflight downgrade job"),

    // Cancellation
    CANCELED(StatusCode.CANCELLED, "etcdserver: request canceled"),
    DEADLINE_EXCEEDED(StatusCode.DEADLINE_EXCEEDED, "etcdserver: context deadline exceeded"),

    // Election service (etcd returns these as plain errors, which gRPC sends as UNKNOWN)
    ELECTION_NOT_LEADER(StatusCode.UNKNOWN, "election: not leader"),
    ELECTION_NO_LEADER(StatusCode.UNKNOWN, "election: no leader"),
    ELECTION_MISSING_LEADER_KEY(StatusCode.UNKNOWN, "\"leader\" field must be provided");

    private static final Map<String, ErrorCode> BY_MESSAGE = new HashMap<>();

    static {
        for (ErrorCode code : values()) {
            ErrorCode previous = BY_MESSAGE.put(code.message, code);
            if (previous != null) {
                throw new AssertionError("two error codes share a message: " + previous + ", " + code);
            }
        }
    }

    private final StatusCode status;
    private final String message;

    ErrorCode(StatusCode status, String message) {
        this.status = status;
        this.message = message;
    }

    /** The gRPC status code etcd sends for this error. */
    public StatusCode status() {
        return status;
    }

    /** etcd's message for this error, character for character. */
    public String message() {
        return message;
    }

    /**
     * The error whose etcd message is exactly {@code message}, as etcd's client recognises errors
     * ({@code rpctypes.Error}); empty for any other text.
     *
     * @throws NullPointerException if {@code message} is null
     */
    public static Optional<ErrorCode> fromMessage(String message) {
        return Optional.ofNullable(BY_MESSAGE.get(Objects.requireNonNull(message, "message")));
    }

    /** A new exception for this error: a {@link CompactedException} for {@link #COMPACTED}. */
    public CairnException toException() {
        return this == COMPACTED ? new CompactedException() : new CairnException(this);
    }
}
