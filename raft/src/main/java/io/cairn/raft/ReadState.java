package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to {@link RawNode#readIndex}: once the local applied index reaches {@code index}, a
 * read of the state machine is linearizable for the request identified by {@code requestContext}.
 *
 * @param index the read index (the leader's commit index when the request was confirmed)
 * @param requestContext the context passed to {@link RawNode#readIndex}, not copied
 */
public record ReadState(long index, byte[] requestContext) {
    public ReadState {
        Objects.requireNonNull(requestContext, "requestContext is null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadState r && index == r.index && Arrays.equals(requestContext, r.requestContext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, Arrays.hashCode(requestContext));
    }

    @Override
    public String toString() {
        return "ReadState{index=" + index + " ctx=" + Bytes.printable(requestContext) + "}";
    }
}
