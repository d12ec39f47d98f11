package io.cairn.transport.grpc;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what a {@link io.cairn.api.Cairn} call failed with into the gRPC status a client receives.
 * A {@link CairnException} keeps its status code and its message, which for etcd's named errors is
 * etcd's exact text: etcd's clients recognise errors by that text (etcd's {@code rpctypes},
 * jetcd's {@code EtcdException}, etcdctl's output), so it goes on the wire as the description.
 */
final class GrpcErrors {

    private static final System.Logger LOG = System.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {}

    static StatusRuntimeException toStatus(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CairnException cairn) {
            return Status.fromCodeValue(cairn.status().value()).withDescription(cairn.getMessage()).asRuntimeException();
        }
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        if (cause instanceof StatusException status) {
            return status.getStatus().asRuntimeException(status.getTrailers());
        }
        if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription(ErrorCode.CANCELED.message()).asRuntimeException();
        }
        // Anything else is a bug on this side (in the Cairn served, or in the mapping): the client
        // gets INTERNAL with what happened rather than a hung call, and the log keeps the trace.
        LOG.log(System.Logger.Level.WARNING, "unexpected failure serving an etcd gRPC call", cause);
        return Status.INTERNAL.withDescription("cairn: unexpected " + cause).withCause(cause).asRuntimeException();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
