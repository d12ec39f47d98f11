package io.cairn.server.auth;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens ({@code --auth-token simple}): opaque random strings, recorded on every
 * member through the log, each valid until it has not been used for the TTL
 * ({@code --auth-token-ttl}, 300 s by default). They live in memory only, as in etcd: after a
 * restart clients authenticate again (they do so on "invalid auth token").
 */
public final class SimpleTokens implements TokenProvider {

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(String user, long deadlineNanos) {}

    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong issued = new AtomicLong();

    public SimpleTokens(long ttlNanos, LongSupplier nanoClock) {
        if (ttlNanos <= 0) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttlNanos + " ns");
        }
        this.ttlNanos = ttlNanos;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean replicated() {
        return true;
    }

    @Override
    public String issue(String user, long revision) {
        StringBuilder token = new StringBuilder(24);
        for (int i = 0; i < 16; i++) {
            token.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
        }
        return token.append('.').append(issued.incrementAndGet()).toString();
    }

    @Override
    public void record(String user, String token) {
        long now = nanoClock.getAsLong();
        tokens.values().removeIf(entry -> entry.deadlineNanos() - now < 0);
        tokens.put(token, new Entry(user, now + ttlNanos));
    }

    @Override
    public Optional<Caller> caller(String token, long currentRevision) {
        Entry entry = tokens.get(token);
        long now = nanoClock.getAsLong();
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.deadlineNanos() - now < 0) {
            tokens.remove(token, entry);
            return Optional.empty();
        }
        tokens.replace(token, entry, new Entry(entry.user(), now + ttlNanos)); // used: its TTL starts again
        return Optional.of(new Caller(entry.user(), Caller.CURRENT));
    }

    @Override
    public void invalidateUser(String user) {
        tokens.values().removeIf(entry -> entry.user().equals(user));
    }

    @Override
    public void invalidateAll() {
        tokens.clear();
    }
}
