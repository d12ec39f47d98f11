package io.cairn.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The base of Cairn's typed errors: every failure of an API call is a {@code CairnException} (or,
 * for a misuse of the API such as a null argument, a standard unchecked exception thrown at once).
 *
 * <p>Each exception carries a gRPC {@link #status() status code}, the category a transport sends
 * on the wire, and, when the condition is one of etcd's named errors, the {@link #errorCode() error
 * code}; {@link #getMessage()} is then etcd's exact message. Futures of the API complete
 * exceptionally with these (wrapped in {@link java.util.concurrent.CompletionException} when seen
 * through {@code join()}).
 *
 * <p>Subclasses exist only where a caller needs more data: {@link CompactedException}.
 */
@Stable(since = "0.1")
public class CairnException extends RuntimeException {

    private static final long serialVersionUID = 2L;

    private final StatusCode status;
    private final ErrorCode errorCode;

    /** An error for one of etcd's named conditions, with etcd's message. */
    public CairnException(ErrorCode errorCode) {
        this(errorCode, null);
    }

    /** An error for one of etcd's named conditions, with etcd's message and the cause behind it. */
    public CairnException(ErrorCode errorCode, Throwable cause) {
        super(Objects.requireNonNull(errorCode, "errorCode").message(), cause);
        this.status = errorCode.status();
        this.errorCode = errorCode;
    }

    /**
     * An error etcd has no fixed message for (an I/O failure, an internal error, a transport error).
     * If {@code message} is exactly one of etcd's messages, the exception is given that error code,
     * so an error read off the wire is recognised however it was built.
     */
    public CairnException(StatusCode status, String message) {
        this(status, message, null);
    }

    /** As {@link #CairnException(StatusCode, String)}, with the cause behind it. */
    public CairnException(StatusCode status, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.status = Objects.requireNonNull(status, "status");
        this.errorCode = ErrorCode.fromMessage(message).filter(code -> code.status() == status).orElse(null);
    }

    /** An error with status {@link StatusCode#UNKNOWN}. */
    public CairnException(String message) {
        this(StatusCode.UNKNOWN, message, null);
    }

    /** An error with status {@link StatusCode#UNKNOWN}, with the cause behind it. */
    public CairnException(String message, Throwable cause) {
        this(StatusCode.UNKNOWN, message, cause);
    }

    /**
     * The exception a remote client raises for a gRPC status it received: a {@link CompactedException}
     * for etcd's compaction error, else a {@code CairnException} with the error code whose message
     * and status match, if any.
     *
     * @throws NullPointerException if an argument is null
     */
    public static CairnException fromStatus(StatusCode status, String message) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        Optional<ErrorCode> code = ErrorCode.fromMessage(message).filter(c -> c.status() == status);
        return code.map(ErrorCode::toException).orElseGet(() -> new CairnException(status, message));
    }

    /** The gRPC status code: the category of the error and what goes on the wire. */
    public StatusCode status() {
        return status;
    }

    /** The etcd error this is, or empty when etcd has no named error for it. */
    public Optional<ErrorCode> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** Whether this is the etcd error {@code code}. */
    public boolean is(ErrorCode code) {
        return errorCode == code;
    }
}
