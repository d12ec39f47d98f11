package io.cairn.server.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Password checks for clients that send their password with every request (HTTP Basic on the v2
 * keys API): a password verified against a stored hash is remembered, so the slow hash runs once
 * per password and stored hash, not per request. Keyed by the stored hash, which is salted per user
 * and replaced by a password change, so a changed password or a deleted user never matches an old
 * entry. Holds keyed digests (HMAC-SHA-256 under a key made at start), never passwords.
 *
 * <p>Threading: thread-safe; {@link #verify} may run the slow hash, so call it off the Raft loop.
 */
public final class VerifiedPasswords {

    /** Enough for every user of a real deployment; when full, it starts over (the next requests re-verify). */
    private static final int MAX_ENTRIES = 1024;

    private final SecretKeySpec key;
    private final ConcurrentHashMap<String, byte[]> verified = new ConcurrentHashMap<>();

    public VerifiedPasswords() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** Whether {@code password} matches {@code storedHash} ({@link Passwords#verify}). */
    public boolean verify(String password, String storedHash) {
        byte[] digest = digest(password);
        byte[] known = verified.get(storedHash);
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return true;
        }
        if (!Passwords.verify(password, storedHash)) {
            return false;
        }
        if (verified.size() >= MAX_ENTRIES) {
            verified.clear();
        }
        verified.put(storedHash, digest);
        return true;
    }

    private byte[] digest(String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
