package io.cairn.client;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.StatusCode;
import io.grpc.Status;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The reverse of the server's error mapping: a gRPC status received becomes the
 * {@link CairnException} the embedded server raises for the same condition, recognised by etcd's
 * exact message and the status code (as etcd's own client recognises errors).
 */
final class Errors {

    private Errors() {}

    static CairnException toCairn(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CairnException cairn) {
            return cairn;
        }
        Status status = Status.fromThrowable(cause);
        StatusCode code = StatusCode.fromValue(status.getCode().value());
        String message = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        CairnException mapped = CairnException.fromStatus(code, message);
        if (mapped.errorCode().isPresent()) {
            return mapped;
        }
        // Not one of etcd's named errors (a transport failure, an internal error): keep what caused it.
        return new CairnException(code, message, cause.getCause() != null ? cause.getCause() : cause);
    }

    /** The error every pending call and open stream ends with once the client is closed. */
    static CairnException closed() {
        return new CairnException(ErrorCode.CANCELED);
    }

    static Status.Code code(Throwable failure) {
        return Status.fromThrowable(unwrap(failure)).getCode();
    }

    /**
     * Whether the call surely never reached a server: it failed because no connection could be
     * made. Only then is a write safe to send again (elsewhere); any other failure of a write may
     * come after the server applied it.
     */
    static boolean surelyNotSent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Whether the failure means the member (or the way to it) was lost rather than that it refused
     * the request: UNAVAILABLE, or a CANCELLED or INTERNAL that is none of etcd's errors (a member
     * that shuts down resets its streams with CANCEL; a broken connection can surface as INTERNAL).
     * The client did not cancel: its own cancellations never reach this test.
     */
    static boolean isLostMember(Throwable failure) {
        Status status = Status.fromThrowable(unwrap(failure));
        return switch (status.getCode()) {
            case UNAVAILABLE -> true;
            case CANCELLED, INTERNAL -> status.getDescription() == null
                    || ErrorCode.fromMessage(status.getDescription()).isEmpty();
            default -> false;
        };
    }

    static boolean isInvalidToken(Throwable failure) {
        Status status = Status.fromThrowable(unwrap(failure));
        return status.getCode() == Status.Code.UNAUTHENTICATED
                && ErrorCode.INVALID_AUTH_TOKEN.message().equals(status.getDescription());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
