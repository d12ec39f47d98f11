package io.cairn.conformance.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records the history of concurrent clients for {@link LinearizabilityChecker}. Thread-safe: any number
 * of client threads call {@link #invoke} and complete their {@link Invocation}s while another thread may
 * take {@link #history()} at any time.
 *
 * <p>Usage, per operation: {@code Invocation call = recorder.invoke(client, op)} immediately before
 * sending the request, then exactly one of {@code call.ok(result)} (answer received),
 * {@code call.failed(reason)} (certainly not applied) or {@code call.unknown(reason)} (timeout, lost
 * connection, any error after the request may have reached the server) immediately after the answer
 * or the error. When unsure whether an error is definite, record {@code unknown}: it only makes the
 * check weaker, never wrong.
 */
public final class HistoryRecorder {

    private final LongSupplier clock;
    private final List<Invocation> invocations = new ArrayList<>();

    /** A recorder on {@link System#nanoTime()}. */
    public HistoryRecorder() {
        this(System::nanoTime);
    }

    /**
     * A recorder on the given monotonic clock (e.g. a simulation's clock); it must be safe to call from
     * every client thread.
     */
    public HistoryRecorder(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records that {@code clientId} invokes {@code operation} now; complete the returned handle once. */
    public Invocation invoke(int clientId, Operation operation) {
        Objects.requireNonNull(operation, "operation");
        long now = clock.getAsLong();
        synchronized (invocations) {
            Invocation invocation = new Invocation(invocations.size(), clientId, now, operation);
            invocations.add(invocation);
            return invocation;
        }
    }

    /**
     * The history so far, in invocation order. Invocations not completed yet are {@link Outcome.Unknown}
     * ("pending"): they may still take effect.
     */
    public List<HistoryEntry> history() {
        List<Invocation> copy;
        synchronized (invocations) {
            copy = List.copyOf(invocations);
        }
        List<HistoryEntry> entries = new ArrayList<>(copy.size());
        for (Invocation invocation : copy) {
            entries.add(invocation.entry());
        }
        return List.copyOf(entries);
    }

    /** One recorded operation in flight. Complete it exactly once, from any thread. */
    public final class Invocation {
        private final long id;
        private final int clientId;
        private final long invokeNanos;
        private final Operation operation;
        private long responseNanos;
        private Outcome outcome;

        private Invocation(long id, int clientId, long invokeNanos, Operation operation) {
            this.id = id;
            this.clientId = clientId;
            this.invokeNanos = invokeNanos;
            this.operation = operation;
        }

        /** The store answered with {@code result}. */
        public void ok(Result result) {
            if (!operation.accepts(Objects.requireNonNull(result, "result"))) {
                throw new IllegalArgumentException(operation + " cannot have the result " + result);
            }
            complete(new Outcome.Ok(result));
        }

        /** The operation certainly did not take effect. */
        public void failed(String reason) {
            complete(new Outcome.Failed(reason));
        }

        /** The operation may or may not have taken effect. */
        public void unknown(String reason) {
            complete(new Outcome.Unknown(reason));
        }

        private void complete(Outcome completion) {
            long now = clock.getAsLong();
            synchronized (this) {
                if (outcome != null) {
                    throw new IllegalStateException("operation " + id + " (" + operation + ") already completed: " + outcome);
                }
                responseNanos = Math.max(now, invokeNanos);
                outcome = completion;
            }
        }

        private synchronized HistoryEntry entry() {
            if (outcome == null) {
                return new HistoryEntry(id, clientId, invokeNanos, invokeNanos, operation, new Outcome.Unknown("pending"));
            }
            return new HistoryEntry(id, clientId, invokeNanos, responseNanos, operation, outcome);
        }
    }
}
