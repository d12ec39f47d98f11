package io.cairn.transport.http;

import io.cairn.api.Bytes;
import io.cairn.api.KeyValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One node of the v2 tree as stored in one v3 key (see V2.md): the key is {@link #PREFIX} followed
 * by the node's path; the value is a 26-byte header (kind, flags, expiration, TTL, created index)
 * followed by the node's value. The modified index is the v3 key's mod revision; the created index
 * is stored when it differs from the v3 key's (etcd's {@code set} over an existing key makes a new
 * node, v3 keeps the key's create revision); the lease is the v3 key's lease.
 *
 * @param path the node's path, "/a/b"
 * @param dir whether it is a directory
 * @param ownLease whether {@code lease} was granted for this node's own TTL (else inherited from
 *     a directory above it, or none)
 * @param refresh whether the write that produced this version was a TTL refresh (not shown to watchers)
 * @param expirationMillis when the TTL ends, epoch milliseconds; 0 for none
 * @param ttlSeconds the TTL asked for; 0 for none
 * @param value the value (empty for directories)
 */
record V2Node(String path, boolean dir, boolean ownLease, boolean refresh, long expirationMillis, long ttlSeconds,
        String value, long createdIndex, long modifiedIndex, long lease) {

    /** The v3 key prefix of the v2 namespace: NUL, "v2". Nodes are at PREFIX + path ("/..."). */
    static final Bytes PREFIX = Bytes.of((byte) 0, (byte) 'v', (byte) '2');
    /** Written by every v2 write, in the same transaction: what the write was, for watchers (see V2.md). */
    static final Bytes ACTION_KEY = PREFIX.concat(Bytes.fromUtf8("!action"));

    private static final int HEADER = 26;
    private static final byte FILE = 'f';
    private static final byte DIR = 'd';
    private static final int OWN_LEASE = 1;
    private static final int REFRESH = 2;

    static Bytes key(String path) {
        return PREFIX.concat(Bytes.fromUtf8(path));
    }

    /** The keys strictly below {@code path}: PREFIX + path + "/" as a prefix ("/" for the root). */
    static Bytes childrenPrefix(String path) {
        return PREFIX.concat(Bytes.fromUtf8(path.equals("/") ? "/" : path + "/"));
    }

    static boolean isNodeKey(Bytes key) {
        return key.size() > PREFIX.size() && key.startsWith(PREFIX) && key.byteAt(PREFIX.size()) == '/';
    }

    static String pathOf(Bytes key) {
        return key.slice(PREFIX.size(), key.size()).toUtf8();
    }

    /**
     * @param createdIndex the node's created index if this write keeps it (update, compare-and-swap,
     *     refresh); 0 if this write creates the node (its created index is then this write's revision)
     */
    static Bytes encode(boolean dir, boolean ownLease, boolean refresh, long expirationMillis, long ttlSeconds,
            long createdIndex, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + text.length);
        buffer.put(dir ? DIR : FILE);
        buffer.put((byte) ((ownLease ? OWN_LEASE : 0) | (refresh ? REFRESH : 0)));
        buffer.putLong(expirationMillis);
        buffer.putLong(ttlSeconds);
        buffer.putLong(createdIndex);
        buffer.put(text);
        return Bytes.of(buffer.array());
    }

    /** The node a v3 key holds; null if the value is not a v2 node (written by someone else). */
    static V2Node decode(KeyValue kv) {
        byte[] raw = kv.value().toByteArray();
        if (raw.length < HEADER || (raw[0] != FILE && raw[0] != DIR)) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        boolean dir = buffer.get() == DIR;
        int flags = buffer.get();
        long expiration = buffer.getLong();
        long ttl = buffer.getLong();
        long created = buffer.getLong();
        String value = new String(raw, HEADER, raw.length - HEADER, StandardCharsets.UTF_8);
        return new V2Node(pathOf(kv.key()), dir, (flags & OWN_LEASE) != 0, (flags & REFRESH) != 0, expiration, ttl,
                value, created != 0 ? created : kv.modRevision(), kv.modRevision(), kv.lease());
    }

    /** The last path element. */
    String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * etcd's JSON of a node, fields in etcd's order (key, dir, value, nodes, expiration, ttl,
     * modifiedIndex, createdIndex); {@code nodes} is added by listings.
     */
    ObjectNode toJson(long nowMillis) {
        return toJson(nowMillis, false);
    }

    /** With {@code listing}, a directory gets an empty {@code nodes} array in its place, to be filled. */
    ObjectNode toJson(long nowMillis, boolean listing) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("key", path);
        if (dir) {
            node.put("dir", true);
            if (listing) {
                node.putArray("nodes");
            }
        } else {
            node.put("value", value);
        }
        if (expirationMillis != 0) {
            node.put("expiration", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(expirationMillis)));
            long left = expirationMillis - nowMillis;
            // etcd rounds the remaining time up to whole seconds
            node.put("ttl", Math.max(0, (left + 999) / 1000));
        }
        node.put("modifiedIndex", modifiedIndex);
        node.put("createdIndex", createdIndex);
        return node;
    }
}
