package io.cairn.conformance.linearizability;

import java.util.List;

/**
 * A sequential specification for {@link LinearizabilityChecker}: the states of an object and how one
 * operation at a time moves between them. Implementations are pure (no I/O, no clock, no randomness)
 * and may be called from any thread.
 *
 * @param <S> the state; an immutable value with {@code equals} and {@code hashCode}, since the checker
 *            memoizes on it
 */
public interface SequentialModel<S> {

    /** The state before any operation. */
    S initialState();

    /**
     * The states that {@code operation}, applied to {@code state}, can lead to, given its outcome.
     * <ul>
     * <li>{@link Outcome.Ok}: the states in which the operation returns exactly that result; empty
     * when the result is impossible in {@code state} (the operation cannot be linearized here).</li>
     * <li>{@link Outcome.Unknown} and {@link Outcome.Applied}: every state the operation leads to if it
     * takes effect, whatever it answers. The checker itself handles the case that an unknown operation
     * never took effect.</li>
     * </ul>
     * A deterministic model returns at most one state; more than one expresses nondeterminism (e.g. a
     * comparison against a value the history never revealed). Never called with {@link Outcome.Failed}.
     */
    List<S> step(S state, Operation operation, Outcome outcome);

    /**
     * Splits a history into independent parts that can be checked one by one: the whole history is
     * linearizable iff every part is. The default is one part. Entries keep their order. A model may also
     * replace an entry by one that is equivalent under its semantics (e.g. an {@link Outcome.Unknown}
     * write that is certainly {@link Outcome.Applied} because its unique value was read).
     */
    default List<Partition> partition(List<HistoryEntry> history) {
        return List.of(new Partition("whole history", history));
    }

    /** A state as it should appear in an explanation. */
    default String describe(S state) {
        return String.valueOf(state);
    }

    /** One independent part of a history, with a name for explanations (e.g. its keys). */
    record Partition(String name, List<HistoryEntry> entries) {
        public Partition {
            entries = List.copyOf(entries);
        }
    }
}
