package io.cairn.distribution;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input against a running server, from a seeded generator: random and mutated protobuf
 * messages in hand-made HTTP/2 frames on the gRPC port (lying length prefixes, compressed flags,
 * truncations), random and malformed JSON on the gateway (invalid base64, enormous numbers,
 * negative limits, deeply nested transactions), slowloris connections holding the HTTP port
 * meanwhile, and thousands of watchers on one watch stream. Every request must be answered (an error, never a hang) and afterwards the server
 * still answers and its data is intact.
 *
 * <p>Budget: {@code -Dcairn.fuzz.iterations} (default 150, CI's), seed {@code -Dcairn.fuzz.seed}
 * (default: time; printed, so a failure reproduces with it).
 */
class HostileInputIT {

    private static final long SEED = Long.getLong("cairn.fuzz.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("cairn.fuzz.iterations", 150);
    private static final int ANSWER_MILLIS = 15_000;

    private static CairnProcess server;
    private static Etcdctl etcdctl;
    private static String sentinel;

    private static final String[] GRPC_METHODS = {
            "/etcdserverpb.KV/Range", "/etcdserverpb.KV/Put", "/etcdserverpb.KV/DeleteRange", "/etcdserverpb.KV/Txn",
            "/etcdserverpb.KV/Compact", "/etcdserverpb.Lease/LeaseGrant", "/etcdserverpb.Lease/LeaseRevoke",
            "/etcdserverpb.Lease/LeaseTimeToLive", "/etcdserverpb.Cluster/MemberList", "/etcdserverpb.Maintenance/Status",
            "/etcdserverpb.Maintenance/HashKV", "/etcdserverpb.Auth/Authenticate", "/etcdserverpb.Auth/UserAdd",
            "/etcdserverpb.Auth/RoleGrantPermission", "/v3lockpb.Lock/Unlock", "/v3electionpb.Election/Leader",
            "/etcdserverpb.Nope/Missing"};
    private static final String[] GATEWAY_ROUTES = {
            "/v3/kv/range", "/v3/kv/put", "/v3/kv/deleterange", "/v3/kv/txn", "/v3/kv/compaction", "/v3/lease/grant",
            "/v3/lease/revoke", "/v3/lease/timetolive", "/v3/maintenance/hash", "/v3/auth/authenticate",
            "/v3/auth/user/add", "/v3/auth/role/grant", "/v3/cluster/member/remove"};

    @BeforeAll
    static void start() {
        server = CairnProcess.start(CairnProcess.newDataDir("hostile"), "--max-request-bytes", "65536",
                "--max-txn-ops", "16");
        etcdctl = new Etcdctl(server.endpoint());
        etcdctl.ok("put", "\u0001sentinel/a", "kept");
        etcdctl.ok("put", "\u0001sentinel/b", "kept too");
        sentinel = etcdctl.ok("get", "\u0001sentinel/", "--prefix", "-w", "json").replaceAll("\"revision\":\\d+,", "")
                .replaceAll("\"raft_term\":\\d+", "");
        System.out.println("HostileInputIT: seed=" + SEED + " iterations=" + ITERATIONS
                + " (reproduce with -Dcairn.fuzz.seed=" + SEED + ")");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyHostileRequestIsAnsweredAndTheServerStaysIntact() throws Exception {
        Random random = new Random(SEED);
        List<Socket> slowloris = openSlowloris(20);
        try {
            for (int i = 0; i < ITERATIONS; i++) {
                String what;
                if (random.nextBoolean()) {
                    String method = GRPC_METHODS[random.nextInt(GRPC_METHODS.length)];
                    byte[] frame = grpcBody(random);
                    what = "gRPC " + method + " body " + hex(frame);
                    String outcome = grpcCall(method, frame);
                    assertTrue(outcome.startsWith("ended"), () -> "seed=" + SEED + ": " + what + ": " + outcome);
                } else {
                    String route = GATEWAY_ROUTES[random.nextInt(GATEWAY_ROUTES.length)];
                    String body = json(random);
                    what = "POST " + route + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
                    int status = post(route, body);
                    assertTrue(status != 500, () -> "seed=" + SEED + ": " + what + ": an unexpected failure (500)");
                }
                if (i % 25 == 0) {
                    trickle(slowloris);
                }
            }
            // the slowloris connections hold the HTTP port, yet others are served
            assertEquals(200, post("/v3/maintenance/status", "{}"));
        } finally {
            for (Socket socket : slowloris) {
                socket.close();
            }
        }
        assertTrue(server.isAlive(), () -> "the server died; stderr:\n" + server.stderr());
        String after = etcdctl.ok("get", "\u0001sentinel/", "--prefix", "-w", "json").replaceAll("\"revision\":\\d+,", "")
                .replaceAll("\"raft_term\":\\d+", "");
        assertEquals(sentinel, after, "seed=" + SEED + ": the data changed");
    }

    @Test
    void thousandsOfWatchersOnOneStreamLeaveTheServerServing() throws Exception {
        // jetcd multiplexes every watcher of a client onto one gRPC watch stream
        int watchers = Integer.getInteger("cairn.fuzz.watchers", 2000);
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        List<io.etcd.jetcd.Watch.Watcher> opened = new ArrayList<>();
        try (io.etcd.jetcd.Client client = io.etcd.jetcd.Client.builder().endpoints(server.clientUrl()).build()) {
            // from the revision after the current one: a watch whose create the server reaches only
            // after the put (2000 creates queue on the stream) still gets the put from history
            long next = client.getKVClient().get(io.etcd.jetcd.ByteSequence.from("w/", StandardCharsets.UTF_8))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS).getHeader().getRevision() + 1;
            io.etcd.jetcd.options.WatchOption fromNext = io.etcd.jetcd.options.WatchOption.builder().withRevision(next).build();
            for (int i = 0; i < watchers; i++) {
                opened.add(client.getWatchClient().watch(io.etcd.jetcd.ByteSequence.from("w/" + i, StandardCharsets.UTF_8),
                        fromNext, io.etcd.jetcd.Watch.listener(response -> created.incrementAndGet())));
            }
            etcdctl.ok("put", "w/7", "x");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (created.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(created.get() > 0, "the watcher of w/7 saw its put among " + watchers + " watchers");
            opened.forEach(io.etcd.jetcd.Watch.Watcher::close);
        }
        assertTrue(server.isAlive(), () -> "the server died; stderr:\n" + server.stderr());
        assertEquals(200, post("/v3/maintenance/status", "{}"));
    }

    // ---- gRPC over hand-made HTTP/2 frames --------------------------------------------------------

    /** A gRPC length-prefixed message, often malformed. */
    private static byte[] grpcBody(Random random) {
        byte[] message = switch (random.nextInt(5)) {
            case 0 -> randomBytes(random, random.nextInt(64));
            case 1 -> mutate(random, validMessage(random));
            case 2 -> validMessage(random);
            case 3 -> nestedTxn(random.nextInt(200));
            default -> randomBytes(random, 70_000 + random.nextInt(1000)); // over --max-request-bytes
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int flag = random.nextInt(10) == 0 ? 1 : 0; // compressed, with no grpc-encoding
        int length = switch (random.nextInt(8)) {
            case 0 -> message.length + 1 + random.nextInt(100); // lies: longer than sent
            case 1 -> Integer.MAX_VALUE;
            default -> message.length;
        };
        out.write(flag);
        out.write(length >>> 24);
        out.write(length >>> 16);
        out.write(length >>> 8);
        out.write(length);
        int cut = random.nextInt(12) == 0 ? random.nextInt(message.length + 1) : message.length;
        out.write(message, 0, cut);
        return out.toByteArray();
    }

    private static byte[] validMessage(Random random) {
        // RangeRequest / PutRequest-shaped: key (1), value or range_end (2), limit (3), revision (4) as varints
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] key = randomBytes(random, random.nextInt(5));
        out.write(0x0a);
        out.write(key.length);
        out.write(key, 0, key.length);
        out.write(0x12);
        out.write(1);
        out.write(random.nextBoolean() ? 0 : 0xff); // range end NUL, or a big one
        out.write(0x18); // limit: a negative varint
        for (int i = 0; i < 9; i++) {
            out.write(0xff);
        }
        out.write(0x01);
        out.write(0x20); // revision: huge
        for (int i = 0; i < 8; i++) {
            out.write(0xff);
        }
        out.write(0x7f);
        return out.toByteArray();
    }

    /** A TxnRequest with {@code depth} transactions nested in its success branch. */
    private static byte[] nestedTxn(int depth) {
        byte[] txn = new byte[0];
        for (int i = 0; i < depth; i++) {
            // RequestOp.request_txn = 4; TxnRequest.success = 2
            byte[] op = withTag(0x22, txn);
            txn = withTag(0x12, op);
        }
        return txn;
    }

    private static byte[] withTag(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        while ((n & ~0x7f) != 0) {
            out.write((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.write(content, 0, content.length);
        return out.toByteArray();
    }

    private static byte[] mutate(Random random, byte[] message) {
        byte[] copy = message.clone();
        for (int i = 0; i < 1 + random.nextInt(4) && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * One gRPC call on a fresh HTTP/2 connection (prior knowledge, as gRPC clients do): HEADERS,
     * the body in DATA frames, END_STREAM; then frames are read until the server ends stream 1
     * (trailers, RST_STREAM) or the connection (GOAWAY, close). Answers "ended ..." or "hung ...".
     */
    private static String grpcCall(String method, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.clientUrl().getHost(), server.clientUrl().getPort()), 5000);
            socket.setSoTimeout(ANSWER_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
            ByteArrayOutputStream headers = new ByteArrayOutputStream();
            header(headers, ":method", "POST");
            header(headers, ":scheme", "http");
            header(headers, ":path", method);
            header(headers, ":authority", "127.0.0.1");
            header(headers, "content-type", "application/grpc");
            header(headers, "te", "trailers");
            frame(out, 0x1, 0x4, 1, headers.toByteArray()); // HEADERS, END_HEADERS
            int offset = 0;
            do {
                int n = Math.min(16_384, body.length - offset);
                boolean last = offset + n >= body.length;
                frame(out, 0x0, last ? 0x1 : 0, 1, java.util.Arrays.copyOfRange(body, offset, offset + n));
                offset += n;
            } while (offset < body.length);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                while (true) {
                    int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    int stream = in.readInt() & 0x7fffffff;
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    if (type == 0x4 && (flags & 0x1) == 0) {
                        frame(out, 0x4, 0x1, 0, new byte[0]); // ack the server's SETTINGS
                    } else if (type == 0x6 && (flags & 0x1) == 0) {
                        frame(out, 0x6, 0x1, 0, payload); // PING ack
                    } else if (type == 0x7) {
                        return "ended: GOAWAY";
                    } else if (stream == 1 && type == 0x3) {
                        return "ended: RST_STREAM";
                    } else if (stream == 1 && (type == 0x1 || type == 0x0) && (flags & 0x1) != 0) {
                        return "ended: END_STREAM";
                    }
                }
            } catch (java.io.EOFException closed) {
                return "ended: connection closed";
            } catch (SocketTimeoutException hung) {
                return "hung: no end of stream within " + ANSWER_MILLIS + " ms";
            }
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.write(payload);
    }

    /** HPACK: a literal header field without indexing, new name, no Huffman coding. */
    private static void header(ByteArrayOutputStream out, String name, String value) {
        out.write(0x00);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        out.write(n.length);
        out.write(n, 0, n.length);
        out.write(v.length);
        out.write(v, 0, v.length);
    }

    // ---- the JSON gateway -------------------------------------------------------------------------

    private static String json(Random random) {
        String key = random.nextBoolean() ? Base64.getEncoder().encodeToString(randomBytes(random, random.nextInt(6)))
                : "not base64!*";
        return switch (random.nextInt(9)) {
            case 0 -> "{\"key\":\"" + key + "\",\"limit\":\"-" + random.nextInt(1000) + "\"}";
            case 1 -> "{\"key\":\"" + key + "\",\"range_end\":\"AA==\",\"revision\":\"99999999999999999999999\"}";
            case 2 -> "{\"key\":\"" + key + "\",\"value\":" + random.nextLong() + "}";
            case 3 -> "{\"key\":";
            case 4 -> new String(randomBytes(random, random.nextInt(200)), StandardCharsets.ISO_8859_1);
            case 5 -> "[".repeat(random.nextInt(5000)) + "]".repeat(random.nextInt(5000));
            case 6 -> nestedTxnJson(random.nextInt(300));
            case 7 -> "{\"ID\":\"-1\",\"TTL\":\"-5\",\"name\":\"" + "x".repeat(random.nextInt(100)) + "\"}";
            default -> "{\"compare\":[{\"target\":\"NOPE\",\"key\":\"" + key + "\"}],\"success\":[{}]}";
        };
    }

    private static String nestedTxnJson(int depth) {
        String txn = "{}";
        for (int i = 0; i < depth; i++) {
            txn = "{\"success\":[{\"request_txn\":" + txn + "}]}";
        }
        return txn;
    }

    private static int post(String route, String body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) server.httpUrl().resolve(route).toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(ANSWER_MILLIS);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body.getBytes(StandardCharsets.ISO_8859_1));
        }
        int status;
        try {
            status = connection.getResponseCode();
        } catch (SocketTimeoutException hung) {
            fail("seed=" + SEED + ": POST " + route + " got no answer within " + ANSWER_MILLIS + " ms");
            return -1;
        }
        InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        if (in != null) {
            try (in) {
                in.readAllBytes();
            }
        }
        return status;
    }

    // ---- slowloris --------------------------------------------------------------------------------

    private static List<Socket> openSlowloris(int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket(server.httpUrl().getHost(), server.httpUrl().getPort());
            socket.getOutputStream().write("POST /v3/kv/range HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            sockets.add(socket);
        }
        return sockets;
    }

    /** One more header line on each slow connection (the server may have closed some: fine). */
    private static void trickle(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closedByTheServer) {
                // the server may drop idle or slow connections
            }
        }
    }

    private static String hex(byte[] bytes) {
        int n = Math.min(bytes.length, 64);
        return java.util.HexFormat.of().formatHex(bytes, 0, n) + (bytes.length > n ? "... (" + bytes.length + " bytes)" : "");
    }
}
