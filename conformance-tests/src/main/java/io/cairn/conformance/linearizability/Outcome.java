package io.cairn.conformance.linearizability;

import java.util.Objects;

/** How an operation ended, as its client saw it. */
public sealed interface Outcome {

    /** The store answered: the operation took effect (atomically, between invocation and response). */
    record Ok(Result result) implements Outcome {
        public Ok {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String toString() {
            return "ok " + result;
        }
    }

    /**
     * The operation certainly did not take effect (the request was refused before it could be
     * proposed, e.g. a validation error or "no leader" before sending). The checker ignores it.
     */
    record Failed(String reason) implements Outcome {
        @Override
        public String toString() {
            return "failed (" + reason + ")";
        }
    }

    /**
     * No answer (timeout, connection lost, still pending when the history was taken): the operation
     * may have taken effect at any time after its invocation, even after its client gave up, or never.
     */
    record Unknown(String reason) implements Outcome {
        @Override
        public String toString() {
            return "unknown (" + reason + ")";
        }
    }

    /**
     * The operation certainly took effect between its invocation and {@code responseNanos}, but its
     * result is not known: e.g. a write with an unknown outcome whose unique value a read later returned
     * (the read's response bounds it). Models treat it like {@link Unknown}; the checker must place it.
     * {@link KvModel#partition} derives it; a recorder may also use it when it knows the write applied.
     */
    record Applied(String reason) implements Outcome {
        @Override
        public String toString() {
            return "applied, result unknown (" + reason + ")";
        }
    }
}
