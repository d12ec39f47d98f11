package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests a server must refuse, sent by etcdctl (and raw bytes): each gets etcd's error, and
 * afterwards the server still answers, the revision did not move, and earlier data is intact.
 */
class BadInputIT {

    private static final int MAX_REQUEST_BYTES = 8192;
    private static final int MAX_TXN_OPS = 4;

    private static CairnProcess server;
    private static Etcdctl etcdctl;
    private long revisionBefore;

    @BeforeAll
    static void startServer() {
        Etcdctl.find();
        server = CairnProcess.start(CairnProcess.newDataDir("bad-input"),
                "--max-request-bytes", String.valueOf(MAX_REQUEST_BYTES), "--max-txn-ops", String.valueOf(MAX_TXN_OPS));
        etcdctl = new Etcdctl(server.endpoint());
        etcdctl.ok("put", "sentinel", "kept");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void recordRevision() {
        revisionBefore = revision();
    }

    @AfterEach
    void serverStillServesAndNothingChanged() {
        assertTrue(server.isAlive(), () -> "the server died; stderr:\n" + server.stderr());
        assertEquals("sentinel\nkept\n", etcdctl.ok("get", "sentinel"));
    }

    private static long revision() {
        return Json.number(Json.object(Json.parse(etcdctl.ok("get", "sentinel", "-w", "json")), "header"), "revision");
    }

    private void assertRevisionUnchanged() {
        assertEquals(revisionBefore, revision(), "a refused request must not write");
    }

    @Test
    void emptyKey() {
        etcdctl.fails("etcdserver: key is not provided", "put", "", "x");
        assertRevisionUnchanged();
    }

    @Test
    void oversizeRequest() {
        etcdctl.fails("etcdserver: request is too large", "put", "big", "x".repeat(MAX_REQUEST_BYTES * 2));
        assertEquals("", etcdctl.ok("get", "big"));
        assertRevisionUnchanged();
    }

    @Test
    void requestBeyondTheGrpcMessageLimit() {
        // etcd reads up to --max-request-bytes + 512 KiB off the wire; beyond, gRPC itself refuses the
        // message. The value comes on stdin: it is too long for a command-line argument.
        CairnProcess.Result result = etcdctl.runWithInput("y".repeat(MAX_REQUEST_BYTES + 600 * 1024), "put", "huge");
        assertTrue(result.exitCode() != 0 && !result.stderr().isBlank(), result::toString);
        assertEquals("", etcdctl.ok("get", "huge"));
        assertRevisionUnchanged();
    }

    @Test
    void unknownLease() {
        etcdctl.fails("etcdserver: requested lease not found", "put", "--lease=1234", "leased", "v");
        assertEquals("", etcdctl.ok("get", "leased"));
        assertRevisionUnchanged();
    }

    @Test
    void compactedAndFutureRevisions() {
        etcdctl.ok("put", "c/k", "v1");
        long first = revision();
        etcdctl.ok("put", "c/k", "v2");
        long second = revision();
        assertEquals("compacted revision " + second + "\n", etcdctl.ok("compaction", String.valueOf(second)));
        etcdctl.fails("etcdserver: mvcc: required revision has been compacted", "get", "c/k", "--rev=" + first);
        etcdctl.fails("etcdserver: mvcc: required revision is a future revision", "get", "c/k",
                "--rev=" + (second + 1000));
        assertEquals("c/k\nv2\n", etcdctl.ok("get", "c/k", "--rev=" + second), "the compaction revision stays readable");
        etcdctl.fails("etcdserver: mvcc: required revision has been compacted", "compaction", String.valueOf(first));
    }

    @Test
    void tooManyTransactionOperations() {
        StringBuilder script = new StringBuilder("\n");
        for (int i = 0; i <= MAX_TXN_OPS; i++) {
            script.append("put many/").append(i).append(" v\n");
        }
        script.append("\n\n");
        CairnProcess.Result result = etcdctl.runWithInput(script.toString(), "txn");
        assertTrue(result.exitCode() != 0 && result.stderr().contains("etcdserver: too many operations in txn request"),
                result::toString);
        assertEquals("", etcdctl.ok("get", "--prefix", "many/"));
        assertRevisionUnchanged();
    }

    @Test
    void duplicateKeysInATransaction() {
        CairnProcess.Result result = etcdctl.runWithInput("\nput dup 1\nput dup 2\n\n\n", "txn");
        assertTrue(result.exitCode() != 0 && result.stderr().contains("etcdserver: duplicate key given in txn request"),
                result::toString);
        assertEquals("", etcdctl.ok("get", "dup"));
        assertRevisionUnchanged();
    }

    @Test
    void garbageBytesOnTheGrpcPort() throws IOException {
        byte[] garbage = new byte[64 * 1024];
        new Random(4).nextBytes(garbage);
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.clientUrl().getHost(), server.clientUrl().getPort()), 5000);
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                try {
                    out.write(attempt == 0 ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes() : garbage);
                    out.flush();
                    byte[] buffer = new byte[4096];
                    while (in.read(buffer) >= 0) {
                        // drain until the server closes the connection
                    }
                } catch (SocketTimeoutException | java.net.SocketException e) {
                    // a reset or a server that waits for more is fine; what matters is the check after
                }
            }
        }
        assertRevisionUnchanged();
    }
}
