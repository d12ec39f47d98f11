package io.cairn.transport.http;

import java.io.IOException;

/** A peer answered a peer request with an error status; the message is its plain-text body. */
final class PeerRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    PeerRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
