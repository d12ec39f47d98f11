package io.cairn.server.auth;

import java.util.Optional;

/**
 * etcd's token provider ({@code --auth-token}): makes a token for an authenticated user and finds
 * the user a token names.
 *
 * <p>Threading: thread-safe; no method blocks.
 */
public sealed interface TokenProvider permits SimpleTokens, JwtTokens {

    /**
     * Whether tokens must be recorded through the log ({@link AuthChange.SimpleToken}) so that every
     * member knows them; false for self-contained tokens.
     */
    boolean replicated();

    /** A new token for {@code user}, checked at auth revision {@code revision}. */
    String issue(String user, long revision);

    /** Records a replicated token on this member (apply). */
    void record(String user, String token);

    /**
     * The caller {@code token} names, or empty if it is unknown, expired or malformed.
     *
     * @param currentRevision the store's revision, for tokens that do not carry their own
     */
    Optional<Caller> caller(String token, long currentRevision);

    /** Forgets every token of {@code user} (deleted, or its password changed). */
    void invalidateUser(String user);

    /** Forgets every token (auth disabled). */
    void invalidateAll();
}
