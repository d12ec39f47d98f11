package io.cairn.server.auth;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The auth store as part of the state machine: the current {@link AuthState}, kept whole under one
 * key of {@link #KEYSPACE} in the state backend (written in the batch of the entry that changed it,
 * so it survives a crash and travels in snapshots), and the token provider.
 *
 * <p>Threading: changed only by the Raft loop thread (apply, snapshot install); {@link #state()}
 * and the token lookups may be called from any thread.
 */
public final class AuthStore {

    /** The keyspace the auth store lives in. */
    public static final String KEYSPACE = "auth";
    /** The keyspaces the auth store needs. */
    public static final Set<String> KEYSPACES = Set.of(KEYSPACE);
    private static final byte[] STATE_KEY = "state".getBytes(StandardCharsets.US_ASCII);

    private final TokenProvider tokens;
    private volatile AuthState state;

    private AuthStore(TokenProvider tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * Loads the store kept in {@code backend} (the initial state if none).
     *
     * @throws IllegalArgumentException if the backend lacks {@link #KEYSPACE} or holds a malformed state
     */
    public static AuthStore open(Backend backend, TokenProvider tokens) {
        if (!backend.keyspaces().contains(KEYSPACE)) {
            throw new IllegalArgumentException("the auth store needs keyspace " + KEYSPACE + " but the backend has "
                    + backend.keyspaces());
        }
        AuthStore store = new AuthStore(tokens);
        store.reload(backend);
        return store;
    }

    /** Reads the state again (after a snapshot replaced the state machine); forgets every token. */
    public void reload(Backend backend) {
        byte[] stored = backend.get(KEYSPACE, STATE_KEY);
        state = stored == null ? AuthState.initial() : AuthState.decode(stored);
        tokens.invalidateAll();
    }

    /** The current state. */
    public AuthState state() {
        return state;
    }

    public TokenProvider tokens() {
        return tokens;
    }

    /** The caller {@code token} names, or empty if the token is not valid (now). */
    public Optional<Caller> callerOf(String token) {
        return tokens.caller(token, state.revision());
    }

    /** Adds {@code next} to the apply batch. */
    public static void write(WriteBatch batch, AuthState next) {
        batch.put(KEYSPACE, STATE_KEY, next.encode());
    }

    /** Publishes {@code next} after its batch was written, with what {@code change} does to tokens. */
    public void commit(AuthChange change, AuthState next) {
        state = next;
        switch (change) {
            case AuthChange.UserDelete d -> tokens.invalidateUser(d.name());
            case AuthChange.UserChangePassword c -> tokens.invalidateUser(c.name());
            case AuthChange.Disable d -> tokens.invalidateAll();
            case AuthChange.Enable e -> tokens.invalidateAll();
            default -> { }
        }
    }

    /** Applies a replicated simple token: recorded if its user (still) exists. */
    public void recordToken(AuthChange.SimpleToken token) {
        if (state.enabled() && state.users().containsKey(token.user())) {
            tokens.record(token.user(), token.token());
        }
    }
}
