package io.cairn.conformance;

/**
 * An error answer of an {@link EtcdWire} call: the gRPC status code's name ({@code INVALID_ARGUMENT},
 * {@code NOT_FOUND}, ...; the JSON gateway's numeric {@code code} mapped to that name) and the message.
 */
public final class EtcdWireException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;

    public EtcdWireException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The gRPC status code name, such as {@code OUT_OF_RANGE}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
