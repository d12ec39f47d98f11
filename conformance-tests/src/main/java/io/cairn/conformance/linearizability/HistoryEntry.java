package io.cairn.conformance.linearizability;

import java.util.Objects;

/**
 * One operation of a history: which client ran it, when it was invoked and when its answer came back
 * (monotonic nanoseconds of one clock, e.g. {@link System#nanoTime()} of the recording JVM), and how it
 * ended. For an {@link Outcome.Unknown} outcome {@code responseNanos} is when the client gave up; the
 * checker treats it as "never".
 *
 * @param id unique within the history; names the operation in explanations
 */
public record HistoryEntry(long id, int clientId, long invokeNanos, long responseNanos, Operation operation, Outcome outcome) {

    public HistoryEntry {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(outcome, "outcome");
        if (responseNanos < invokeNanos) {
            throw new IllegalArgumentException("operation " + id + " responds at " + responseNanos + " before its invocation at " + invokeNanos);
        }
        if (outcome instanceof Outcome.Ok ok && !operation.accepts(ok.result())) {
            throw new IllegalArgumentException("operation " + id + " (" + operation + ") cannot have the result " + ok.result());
        }
    }

    @Override
    public String toString() {
        return "#" + id + " client " + clientId + " [" + invokeNanos + ", "
                + (outcome instanceof Outcome.Unknown ? "?" : responseNanos) + "] " + operation + " -> " + outcome;
    }
}
