package io.cairn.server;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.server.auth.AuthState;
import io.cairn.server.auth.AuthStore;
import io.cairn.server.auth.Caller;
import io.cairn.server.auth.VerifiedPasswords;
import io.cairn.spi.transport.Credentials;
import io.cairn.spi.transport.KeyAccess;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link io.cairn.spi.transport.ClientIdentities#keyAccess}: who a caller of an API that checks
 * its own keys (the v2 keys API) is, and what the auth store lets it do. Checked after a read
 * barrier, as v3 reads are, so a permission revoked on another member before counts here too.
 *
 * <p>Threading: thread-safe; passwords are verified on the hashing executor.
 */
final class CredentialChecks {

    private final RaftNode node;
    private final AuthStore authStore;
    private final Executor hashing;
    private final VerifiedPasswords passwords = new VerifiedPasswords();

    CredentialChecks(RaftNode node, AuthStore authStore, Executor hashing) {
        this.node = node;
        this.authStore = authStore;
        this.hashing = hashing;
    }

    CompletableFuture<KeyAccess> keyAccess(Credentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        if (!authStore.state().enabled()) {
            // no barrier while auth is off: the v2 API costs what it did before auth existed
            return CompletableFuture.completedFuture(KeyAccess.UNRESTRICTED);
        }
        CompletableFuture<Void> barrier = node.readBarrier();
        return credentials instanceof Credentials.Password
                ? barrier.thenApplyAsync(v -> resolve(credentials), hashing)
                : barrier.thenApply(v -> resolve(credentials));
    }

    private KeyAccess resolve(Credentials credentials) {
        AuthState state = authStore.state();
        if (!state.enabled()) {
            return KeyAccess.UNRESTRICTED;
        }
        String user = switch (credentials) {
            case Credentials.None none -> throw new CairnException(ErrorCode.USER_EMPTY);
            case Credentials.Password password -> {
                AuthState.User known = state.users().get(password.user());
                if (known == null || known.noPassword() || !passwords.verify(password.password(), known.passwordHash())) {
                    throw new CairnException(ErrorCode.AUTH_FAILED);
                }
                yield known.name();
            }
            case Credentials.Token token -> {
                Caller caller = authStore.callerOf(token.token())
                        .orElseThrow(() -> new CairnException(ErrorCode.INVALID_AUTH_TOKEN));
                if (caller.revision() != Caller.CURRENT && caller.revision() < state.revision()) {
                    throw new CairnException(ErrorCode.AUTH_OLD_REVISION);
                }
                yield caller.user();
            }
            case Credentials.CertificateName name -> name.commonName();
        };
        return (key, rangeEnd, write) -> state.checkKeys(user, key, rangeEnd, write);
    }
}
