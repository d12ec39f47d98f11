package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.util.Objects;

/**
 * The credentials a client call carries, as a transport read them, for
 * {@link ClientIdentities#keyAccess}: none, a user name and password (HTTP Basic, what etcd's v2
 * clients send), a token from {@link io.cairn.api.auth.Auth#authenticate}, or the common name of a
 * client certificate the endpoint verified ({@code --client-cert-auth}).
 */
@Experimental("new with issue 9")
public sealed interface Credentials {

    /** No credentials: nobody, whom auth refuses while it is enabled (etcd's "user name is empty"). */
    record None() implements Credentials {}

    /** A user name and password; {@link #toString()} leaves the password out. */
    record Password(String user, String password) implements Credentials {
        public Password {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Password[user=" + user + "]";
        }
    }

    /** A token the server issued. */
    record Token(String token) implements Credentials {
        public Token {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "Token[...]";
        }
    }

    /** The common name of a verified client certificate. */
    record CertificateName(String commonName) implements Credentials {
        public CertificateName {
            Objects.requireNonNull(commonName, "commonName");
        }
    }

    static Credentials none() {
        return new None();
    }
}
