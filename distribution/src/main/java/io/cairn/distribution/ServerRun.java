package io.cairn.distribution;

import java.io.PrintStream;

/**
 * Interim: the server ({@code io.cairn.server.CairnServer}) is being written on another branch; until
 * it is merged, starting a member fails with a message that says so.
 */
final class ServerRun {

    static final String READY = "cairn: ready";

    private final PrintStream err;

    ServerRun(ServerOptions options, PrintStream out, PrintStream err) {
        this.err = err;
    }

    int run() {
        err.println("cairn: cannot start: io.cairn.server.CairnServer is not in this build yet");
        return Main.EXIT_FAILED;
    }
}
