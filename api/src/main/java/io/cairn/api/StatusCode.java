package io.cairn.api;

/**
 * The gRPC status codes, with their wire numbers. Every {@link CairnException} carries one: it is
 * the category etcd reports for the same error, and the code a transport sends on the wire.
 */
@Stable(since = "0.1")
public enum StatusCode {
    OK(0),
    CANCELLED(1),
    UNKNOWN(2),
    INVALID_ARGUMENT(3),
    DEADLINE_EXCEEDED(4),
    NOT_FOUND(5),
    ALREADY_EXISTS(6),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    ABORTED(10),
    OUT_OF_RANGE(11),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    DATA_LOSS(15),
    UNAUTHENTICATED(16);

    private final int value;

    StatusCode(int value) {
        this.value = value;
    }

    /** The number gRPC puts on the wire for this code. */
    public int value() {
        return value;
    }

    /**
     * The code with wire number {@code value}; gRPC maps numbers it does not know to
     * {@link #UNKNOWN}, and so does this method.
     */
    public static StatusCode fromValue(int value) {
        StatusCode[] codes = values();
        return value >= 0 && value < codes.length ? codes[value] : UNKNOWN;
    }
}
