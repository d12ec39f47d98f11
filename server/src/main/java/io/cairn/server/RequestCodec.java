package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.api.auth.Permission;
import io.cairn.server.auth.AuthChange;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The payload of a normal Raft entry: a request id (so the member that proposed it can complete
 * the caller's future when it is applied; 0 for proposals nobody waits for, such as a lease expiry)
 * and one request. Binary layout: {@code version(1) ‖ varint(requestId) ‖ tag ‖ body}, where
 * numbers are unsigned LEB128 varints, byte strings are {@code varint(length) ‖ bytes}, booleans
 * and enums one byte each. Decoding rejects an unknown version or tag, truncation and trailing
 * bytes with an {@link IllegalArgumentException} naming the offset.
 *
 * <p>Threading: stateless, thread-safe.
 */
final class RequestCodec {

    static final int VERSION = 1;

    /** A proposal as it travels through the log. */
    record LogRequest(long requestId, Object request) {
        LogRequest {
            Objects.requireNonNull(request, "request");
        }
    }

    /** etcd's lease checkpoint: the remaining TTL of a lease, recorded through the log. */
    record LeaseCheckpoint(long id, long remainingTtlSeconds) {}

    /** etcd's publish: a member's name and client URLs (and peer URLs, so a joiner replaying the log learns them). */
    record MemberAttributes(long id, String name, List<String> peerUrls, List<String> clientUrls) {
        MemberAttributes {
            peerUrls = List.copyOf(peerUrls);
            clientUrls = List.copyOf(clientUrls);
        }
    }

    /** etcd's MemberUpdate: new peer URLs for a member. */
    record MemberPeerUpdate(long id, List<String> peerUrls) {
        MemberPeerUpdate {
            peerUrls = List.copyOf(peerUrls);
        }
    }

    /**
     * A request checked against the auth store at auth revision {@code authRevision} by the member
     * that proposed it: applied only if auth is off or the store has not changed since (etcd's
     * {@code RequestHeader.auth_revision}), else refused with "revision of auth store is old".
     */
    record Guarded(long authRevision, Object request) {
        Guarded {
            Objects.requireNonNull(request, "request");
            if (request instanceof Guarded) {
                throw new IllegalArgumentException("a guarded request inside another");
            }
        }
    }

    // 11 is ALARM (maintenance)
    private static final int AUTH = 12, GUARDED = 13;
    private static final int AUTH_ENABLE = 1, AUTH_DISABLE = 2, USER_ADD = 3, USER_DELETE = 4, USER_PASSWORD = 5,
            USER_GRANT = 6, USER_REVOKE = 7, ROLE_ADD = 8, ROLE_DELETE = 9, ROLE_GRANT = 10, ROLE_REVOKE = 11,
            SIMPLE_TOKEN = 12;

    private static final int PUT = 1, DELETE_RANGE = 2, TXN = 3, RANGE = 4, COMPACTION = 5, LEASE_GRANT = 6,
            LEASE_REVOKE = 7, LEASE_CHECKPOINT = 8,
            MEMBER_ATTRIBUTES = 9, MEMBER_PEER_UPDATE = 10, ALARM = 11;

    private RequestCodec() {}

    /**
     * Encodes {@code request}; the result is the caller's.
     *
     * @throws IllegalArgumentException for a request type the log does not carry
     */
    static byte[] encode(long requestId, Object request) {
        // two passes, counting then writing: an exactly sized array with no growth or final copy
        Writer counter = new Writer(null);
        write(counter, requestId, request);
        Writer w = new Writer(new byte[counter.pos]);
        write(w, requestId, request);
        return w.buf;
    }

    private static void write(Writer w, long requestId, Object request) {
        w.write(VERSION);
        w.varint(requestId);
        body(w, request);
    }

    private static void body(Writer w, Object request) {
        switch (request) {
            case Guarded g -> { w.write(GUARDED); w.varint(g.authRevision()); body(w, g.request()); }
            case AuthChange a -> { w.write(AUTH); auth(w, a); }
            case PutRequest p -> { w.write(PUT); put(w, p); }
            case DeleteRangeRequest d -> { w.write(DELETE_RANGE); deleteRange(w, d); }
            case TxnRequest t -> { w.write(TXN); txn(w, t); }
            case CompactionRequest c -> { w.write(COMPACTION); w.varint(c.revision()); w.bool(c.physical()); }
            case LeaseGrantRequest g -> { w.write(LEASE_GRANT); w.varint(g.ttl()); w.varint(g.id()); }
            case LeaseRevokeRequest r -> { w.write(LEASE_REVOKE); w.varint(r.id()); }
            case LeaseCheckpoint c -> { w.write(LEASE_CHECKPOINT); w.varint(c.id()); w.varint(c.remainingTtlSeconds()); }
            case MemberAttributes a -> {
                w.write(MEMBER_ATTRIBUTES);
                w.varint(a.id());
                w.bytes(Bytes.fromUtf8(a.name()));
                strings(w, a.peerUrls());
                strings(w, a.clientUrls());
            }
            case MemberPeerUpdate u -> { w.write(MEMBER_PEER_UPDATE); w.varint(u.id()); strings(w, u.peerUrls()); }
            case AlarmRequest a -> { w.write(ALARM); w.write(a.action().ordinal()); w.varint(a.memberId()); w.write(a.alarm().ordinal()); }
            default -> throw new IllegalArgumentException("not a request the Raft log carries: " + request.getClass().getName());
        }
    }

    /** Decodes an entry's payload. @throws IllegalArgumentException if it is malformed */
    static LogRequest decode(byte[] data) {
        Reader r = new Reader(data);
        int version = r.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("request of unknown version " + version + " (this build reads " + VERSION + ")");
        }
        long requestId = r.varint();
        Object request = readBody(r, true);
        r.end();
        return new LogRequest(requestId, request);
    }

    private static Object readBody(Reader r, boolean guardAllowed) {
        int tag = r.u8();
        return switch (tag) {
            case GUARDED -> {
                if (!guardAllowed) {
                    throw r.error("a guarded request inside another");
                }
                long revision = r.varint();
                yield new Guarded(revision, readBody(r, false));
            }
            case AUTH -> readAuth(r);
            case PUT -> readPut(r);
            case DELETE_RANGE -> readDeleteRange(r);
            case TXN -> readTxn(r, 0);
            case COMPACTION -> new CompactionRequest(r.varint(), r.bool());
            case LEASE_GRANT -> {
                long ttl = r.varint();
                yield new LeaseGrantRequest(ttl, r.varint());
            }
            case LEASE_REVOKE -> new LeaseRevokeRequest(r.varint());
            case LEASE_CHECKPOINT -> new LeaseCheckpoint(r.varint(), r.varint());
            case MEMBER_ATTRIBUTES -> {
                long id = r.varint();
                String name = r.bytes().toUtf8();
                List<String> peers = readStrings(r);
                yield new MemberAttributes(id, name, peers, readStrings(r));
            }
            case MEMBER_PEER_UPDATE -> {
                long id = r.varint();
                yield new MemberPeerUpdate(id, readStrings(r));
            }
            case ALARM -> {
                AlarmRequest.Action action = r.enumValue(AlarmRequest.Action.values());
                long member = r.varint();
                yield new AlarmRequest(action, member, r.enumValue(AlarmType.values()));
            }
            default -> throw r.error("unknown request tag " + tag);
        };
    }

    private static void auth(Writer w, AuthChange change) {
        switch (change) {
            case AuthChange.Enable e -> w.write(AUTH_ENABLE);
            case AuthChange.Disable d -> w.write(AUTH_DISABLE);
            case AuthChange.UserAdd u -> { w.write(USER_ADD); string(w, u.name()); string(w, u.passwordHash()); w.bool(u.noPassword()); }
            case AuthChange.UserDelete u -> { w.write(USER_DELETE); string(w, u.name()); }
            case AuthChange.UserChangePassword u -> { w.write(USER_PASSWORD); string(w, u.name()); string(w, u.passwordHash()); }
            case AuthChange.UserGrantRole u -> { w.write(USER_GRANT); string(w, u.user()); string(w, u.role()); }
            case AuthChange.UserRevokeRole u -> { w.write(USER_REVOKE); string(w, u.user()); string(w, u.role()); }
            case AuthChange.RoleAdd a -> { w.write(ROLE_ADD); string(w, a.name()); }
            case AuthChange.RoleDelete d -> { w.write(ROLE_DELETE); string(w, d.name()); }
            case AuthChange.RoleGrantPermission g -> {
                w.write(ROLE_GRANT);
                string(w, g.role());
                w.write(g.permission().permType().ordinal());
                w.bytes(g.permission().key());
                w.bytes(g.permission().rangeEnd());
            }
            case AuthChange.RoleRevokePermission v -> { w.write(ROLE_REVOKE); string(w, v.role()); w.bytes(v.key()); w.bytes(v.rangeEnd()); }
            case AuthChange.SimpleToken t -> { w.write(SIMPLE_TOKEN); string(w, t.user()); string(w, t.token()); }
        }
    }

    private static AuthChange readAuth(Reader r) {
        int kind = r.u8();
        return switch (kind) {
            case AUTH_ENABLE -> new AuthChange.Enable();
            case AUTH_DISABLE -> new AuthChange.Disable();
            case USER_ADD -> {
                String name = r.bytes().toUtf8();
                String hash = r.bytes().toUtf8();
                yield new AuthChange.UserAdd(name, hash, r.bool());
            }
            case USER_DELETE -> new AuthChange.UserDelete(r.bytes().toUtf8());
            case USER_PASSWORD -> {
                String name = r.bytes().toUtf8();
                yield new AuthChange.UserChangePassword(name, r.bytes().toUtf8());
            }
            case USER_GRANT -> {
                String user = r.bytes().toUtf8();
                yield new AuthChange.UserGrantRole(user, r.bytes().toUtf8());
            }
            case USER_REVOKE -> {
                String user = r.bytes().toUtf8();
                yield new AuthChange.UserRevokeRole(user, r.bytes().toUtf8());
            }
            case ROLE_ADD -> new AuthChange.RoleAdd(r.bytes().toUtf8());
            case ROLE_DELETE -> new AuthChange.RoleDelete(r.bytes().toUtf8());
            case ROLE_GRANT -> {
                String role = r.bytes().toUtf8();
                Permission.Type type = r.enumValue(Permission.Type.values());
                Bytes key = r.bytes();
                yield new AuthChange.RoleGrantPermission(role, new Permission(type, key, r.bytes()));
            }
            case ROLE_REVOKE -> {
                String role = r.bytes().toUtf8();
                Bytes key = r.bytes();
                yield new AuthChange.RoleRevokePermission(role, key, r.bytes());
            }
            case SIMPLE_TOKEN -> {
                String user = r.bytes().toUtf8();
                yield new AuthChange.SimpleToken(user, r.bytes().toUtf8());
            }
            default -> throw r.error("unknown auth change " + kind);
        };
    }

    private static void string(Writer w, String s) {
        w.bytes(Bytes.fromUtf8(s));
    }

    // ---- writing ------------------------------------------------------------------------------

    private static void strings(Writer w, List<String> values) {
        w.varint(values.size());
        values.forEach(v -> w.bytes(Bytes.fromUtf8(v)));
    }

    private static List<String> readStrings(Reader r) {
        int n = r.count();
        List<String> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.bytes().toUtf8());
        }
        return out;
    }

    private static void put(Writer w, PutRequest p) {
        w.bytes(p.key());
        w.bytes(p.value());
        w.varint(p.lease());
        w.bool(p.prevKv());
        w.bool(p.ignoreValue());
        w.bool(p.ignoreLease());
    }

    private static void deleteRange(Writer w, DeleteRangeRequest d) {
        w.bytes(d.key());
        w.bytes(d.rangeEnd());
        w.bool(d.prevKv());
    }

    private static void range(Writer w, RangeRequest q) {
        w.bytes(q.key());
        w.bytes(q.rangeEnd());
        w.varint(q.limit());
        w.varint(q.revision());
        w.write(q.sortOrder().ordinal());
        w.write(q.sortTarget().ordinal());
        w.bool(q.serializable());
        w.bool(q.keysOnly());
        w.bool(q.countOnly());
        w.varint(q.minModRevision());
        w.varint(q.maxModRevision());
        w.varint(q.minCreateRevision());
        w.varint(q.maxCreateRevision());
    }

    private static void txn(Writer w, TxnRequest t) {
        w.varint(t.compare().size());
        for (Compare c : t.compare()) {
            w.write(c.result().ordinal());
            w.write(c.target().ordinal());
            w.bytes(c.key());
            w.bytes(c.rangeEnd());
            w.varint(c.number());
            w.bytes(c.value());
        }
        ops(w, t.success());
        ops(w, t.failure());
    }

    private static void ops(Writer w, List<RequestOp> ops) {
        w.varint(ops.size());
        for (RequestOp op : ops) {
            switch (op) {
                case RangeRequest q -> { w.write(RANGE); range(w, q); }
                case PutRequest p -> { w.write(PUT); put(w, p); }
                case DeleteRangeRequest d -> { w.write(DELETE_RANGE); deleteRange(w, d); }
                case TxnRequest t -> { w.write(TXN); txn(w, t); }
            }
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private static PutRequest readPut(Reader r) {
        return new PutRequest(r.bytes(), r.bytes(), r.varint(), r.bool(), r.bool(), r.bool());
    }

    private static DeleteRangeRequest readDeleteRange(Reader r) {
        return new DeleteRangeRequest(r.bytes(), r.bytes(), r.bool());
    }

    private static RangeRequest readRange(Reader r) {
        return new RangeRequest(r.bytes(), r.bytes(), r.varint(), r.varint(), r.enumValue(RangeRequest.SortOrder.values()),
                r.enumValue(RangeRequest.SortTarget.values()), r.bool(), r.bool(), r.bool(), r.varint(), r.varint(),
                r.varint(), r.varint());
    }

    private static TxnRequest readTxn(Reader r, int depth) {
        if (depth > 64) {
            throw r.error("transactions nested deeper than 64");
        }
        int compares = r.count();
        List<Compare> compare = new ArrayList<>(compares);
        for (int i = 0; i < compares; i++) {
            compare.add(new Compare(r.enumValue(Compare.Result.values()), r.enumValue(Compare.Target.values()), r.bytes(),
                    r.bytes(), r.varint(), r.bytes()));
        }
        return new TxnRequest(compare, readOps(r, depth), readOps(r, depth));
    }

    private static List<RequestOp> readOps(Reader r, int depth) {
        int n = r.count();
        List<RequestOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int tag = r.u8();
            ops.add(switch (tag) {
                case RANGE -> readRange(r);
                case PUT -> readPut(r);
                case DELETE_RANGE -> readDeleteRange(r);
                case TXN -> readTxn(r, depth + 1);
                default -> throw r.error("unknown operation tag " + tag);
            });
        }
        return ops;
    }

    /** Writes into {@code buf}, or only counts the bytes when it is null. */
    private static final class Writer {
        final byte[] buf;
        int pos;

        Writer(byte[] buf) {
            this.buf = buf;
        }

        void write(int b) {
            if (buf != null) {
                buf[pos] = (byte) b;
            }
            pos++;
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void bool(boolean b) {
            write(b ? 1 : 0);
        }

        void bytes(Bytes b) {
            int length = b.size();
            varint(length);
            if (buf != null) {
                b.asReadOnlyByteBuffer().get(buf, pos, length);
            }
            pos += length;
        }
    }

    private static final class Reader {
        final byte[] in;
        int pos;

        Reader(byte[] in) {
            this.in = Objects.requireNonNull(in, "data");
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("malformed request at offset " + pos + ": " + what);
        }

        int u8() {
            if (pos >= in.length) {
                throw error("truncated");
            }
            return in[pos++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw error("varint longer than 10 bytes");
        }

        int count() {
            long n = varint();
            if (n < 0 || n > in.length - pos) {
                throw error("count " + n + " exceeds the remaining " + (in.length - pos) + " bytes");
            }
            return (int) n;
        }

        boolean bool() {
            int b = u8();
            if (b > 1) {
                throw error("boolean byte " + b);
            }
            return b == 1;
        }

        <E extends Enum<E>> E enumValue(E[] values) {
            int b = u8();
            if (b >= values.length) {
                throw error("enum value " + b + " of " + values[0].getDeclaringClass().getSimpleName());
            }
            return values[b];
        }

        Bytes bytes() {
            int n = count();
            Bytes b = Bytes.copyOf(in, pos, n);
            pos += n;
            return b;
        }

        void end() {
            if (pos != in.length) {
                throw error((in.length - pos) + " trailing bytes");
            }
        }
    }
}
