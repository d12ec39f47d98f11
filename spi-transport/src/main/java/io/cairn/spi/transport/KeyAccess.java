package io.cairn.spi.transport;

import io.cairn.api.Bytes;
import io.cairn.api.Experimental;

/**
 * What one authenticated caller may do with keys, for an API that serves its calls on
 * {@link ClientIdentities#unchecked()} and checks its callers itself (the v2 keys API). It answers
 * for the auth store as it was when {@link ClientIdentities#keyAccess} completed; ask again for the
 * next request.
 *
 * <p>Threading: immutable, thread-safe, does not block.
 */
@Experimental("new with issue 9")
public interface KeyAccess {

    /**
     * Passes if auth is disabled, or the caller has the root role, or its roles grant read
     * ({@code write} false) or write permission on every key of {@code key}..{@code rangeEnd}
     * (etcd's range form: an empty {@code rangeEnd} is the single key, {@code "\0"} every key from
     * {@code key} on), as v3 range checks do.
     *
     * @throws io.cairn.api.CairnException with {@link io.cairn.api.ErrorCode#PERMISSION_DENIED} if not
     * @throws NullPointerException if a key is null
     */
    void check(Bytes key, Bytes rangeEnd, boolean write);

    /** Access that every check passes: auth disabled. */
    KeyAccess UNRESTRICTED = (key, rangeEnd, write) -> {
        java.util.Objects.requireNonNull(key, "key");
        java.util.Objects.requireNonNull(rangeEnd, "rangeEnd");
    };
}
