package io.cairn.server;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The state machine as a stream, for a member that is too far behind or new (etcd sends its whole
 * backend file): every key of the state keyspaces, read from one consistent {@link ReadSnapshot}
 * taken between two applied entries, so it holds exactly the state at its consistent index.
 * Storage-neutral: the receiver may run another storage plugin.
 *
 * <p>Format: {@code "CAIRNSS1"}, then records {@code 1 ‖ u16 keyspace-length ‖ keyspace ‖ i32
 * key-length ‖ key ‖ i32 value-length ‖ value}, then {@code 0 ‖ i64 record-count ‖ i64 CRC-32 of
 * everything before the CRC}. A truncated or damaged stream fails to parse. A client-facing
 * snapshot ({@code Maintenance.Snapshot}, {@link #writeWithDigest}) then has zeros up to a multiple
 * of 512 bytes and the SHA-256 of everything before it, etcd's layout (its bolt file is whole pages),
 * which {@code etcdctl snapshot save} checks for.
 *
 * <p>Files live in {@code <dataDir>/member/snap}: outgoing ones while being sent, received ones
 * until installed. Threading: static helpers, each call on its own files.
 */
final class StateSnapshots {

    private static final byte[] MAGIC = "CAIRNSS1".getBytes(StandardCharsets.US_ASCII);
    private static final int BATCH_BYTES = 4 << 20;
    /** The length of the SHA-256 a client-facing snapshot ends with. */
    static final int DIGEST_BYTES = 32;
    /** Client-facing snapshots are padded to a multiple of this before the digest, as etcdctl expects. */
    static final int PAGE_BYTES = 512;

    private StateSnapshots() {}

    /** One record of a snapshot, in stream order. */
    @FunctionalInterface
    interface RecordVisitor {
        void record(String keyspace, byte[] key, byte[] value) throws IOException;
    }

    /** Writes every key of {@code keyspaces} seen by {@code view} to {@code target}; closes nothing. */
    static void write(ReadSnapshot view, List<String> keyspaces, Path target) throws IOException {
        try (OutputStream file = Files.newOutputStream(target)) {
            write(view, keyspaces, file);
        }
    }

    /**
     * Writes the snapshot to {@code target}, then the SHA-256 of everything before it (32 bytes), as
     * etcd appends one to the database file its {@code Snapshot} RPC streams: the file a client saves
     * can be checked whole before it is restored ({@link #verifyDigest}).
     */
    static void writeWithDigest(ReadSnapshot view, List<String> keyspaces, Path target) throws IOException {
        MessageDigest sha256 = sha256();
        try (OutputStream file = Files.newOutputStream(target)) {
            CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(file, sha256));
            write(view, keyspaces, counted);
            // etcdctl 3.4 takes a snapshot whose size is not 32 more than a multiple of 512 (a bolt
            // file is whole pages) as one without a digest, and refuses it: zeros fill the last "page"
            int padding = (int) ((PAGE_BYTES - counted.count % PAGE_BYTES) % PAGE_BYTES);
            counted.write(new byte[padding]);
            file.write(sha256.digest());
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static void write(ReadSnapshot view, List<String> keyspaces, OutputStream file) throws IOException {
        CRC32 crc = new CRC32();
        try {
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc));
            out.write(MAGIC);
            long[] count = {0};
            for (String keyspace : keyspaces) {
                byte[] name = keyspace.getBytes(StandardCharsets.UTF_8);
                view.scan(keyspace, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
                    try {
                        out.write(1);
                        out.writeShort(name.length);
                        out.write(name);
                        out.writeInt(key.length);
                        out.write(key);
                        out.writeInt(value.length);
                        out.write(value);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    count[0]++;
                    return true;
                });
            }
            out.write(0);
            out.writeLong(count[0]);
            out.flush();
            // the CRC covers everything up to here; written outside the checksum
            new DataOutputStream(file).writeLong(crc.getValue());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Checks the SHA-256 that {@link #writeWithDigest} appended to {@code file}.
     *
     * @return the length of the snapshot before the digest
     * @throws IOException naming the file if it is too short or the digest does not match
     */
    static long verifyDigest(Path file) throws IOException {
        long size = Files.size(file);
        if (size < MAGIC.length + DIGEST_BYTES) {
            throw new IOException("snapshot file " + file + " is corrupted: " + size + " bytes is too short for a snapshot");
        }
        MessageDigest sha256 = sha256();
        byte[] stored;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] buffer = new byte[1 << 16];
            long left = size - DIGEST_BYTES;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException();
                }
                sha256.update(buffer, 0, n);
                left -= n;
            }
            stored = in.readNBytes(DIGEST_BYTES);
        }
        byte[] computed = sha256.digest();
        if (!MessageDigest.isEqual(stored, computed)) {
            throw new IOException("snapshot file " + file + " is corrupted: its SHA-256 is " + HexFormat.of().formatHex(computed)
                    + " but the file ends with " + HexFormat.of().formatHex(stored));
        }
        return size - DIGEST_BYTES;
    }

    /** Copies a received stream to {@code target} (synced), checking it parses whole. */
    static void receive(InputStream data, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(data, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try (InputStream in = Files.newInputStream(tmp)) {
            parse(in, tmp.toString(), (keyspace, key, value) -> {});
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Replaces the contents of {@code keyspaces} in {@code backend} with the snapshot in {@code file}
     * (batches of a few MiB, then a sync). Not atomic as a whole: the caller installs it before it
     * records the snapshot in the Raft log, so a crash part-way leaves a log that still asks for it.
     */
    static void install(Path file, Backend backend, List<String> keyspaces) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            install(in, file.toString(), backend, keyspaces);
        }
    }

    /** Installs the snapshot read from {@code in} (exactly the snapshot's bytes); see {@link #install(Path, Backend, List)}. */
    static void install(InputStream in, String name, Backend backend, List<String> keyspaces) throws IOException {
        WriteBatch clear = new WriteBatch();
        for (String keyspace : keyspaces) {
            clear.deleteRange(keyspace, null, null);
        }
        backend.write(clear, Durability.NOT_SYNCED);
        WriteBatch[] batch = {new WriteBatch()};
        parse(in, name, (keyspace, key, value) -> {
            if (!keyspaces.contains(keyspace)) {
                throw new IOException("state snapshot " + name + " holds unknown keyspace " + keyspace);
            }
            batch[0].put(keyspace, key, value);
            if (batch[0].approximateBytes() > BATCH_BYTES) {
                backend.write(batch[0], Durability.NOT_SYNCED);
                batch[0] = new WriteBatch();
            }
        });
        if (!batch[0].isEmpty()) {
            backend.write(batch[0], Durability.NOT_SYNCED);
        }
        backend.flush();
    }

    /**
     * Reads a whole snapshot from {@code input} (which must end where the snapshot ends), handing
     * each record to {@code visitor}; returns the number of records.
     *
     * @throws IOException naming {@code name} if the stream is not a snapshot, truncated or damaged
     */
    static long parse(InputStream input, String name, RecordVisitor visitor) throws IOException {
        CRC32 crc = new CRC32();
        InputStream raw = new BufferedInputStream(input, 1 << 16);
        DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
        try {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a Cairn state snapshot: " + name);
            }
            long count = 0;
            while (true) {
                int tag = in.read();
                if (tag == 0) {
                    break;
                }
                if (tag != 1) {
                    throw new IOException("state snapshot " + name + " is damaged: record tag " + tag);
                }
                String keyspace = new String(readBytes(in, in.readUnsignedShort()), StandardCharsets.UTF_8);
                byte[] key = readBytes(in, in.readInt());
                byte[] value = readBytes(in, in.readInt());
                count++;
                visitor.record(keyspace, key, value);
            }
            long declared = in.readLong();
            long expectedCrc = crc.getValue();
            long actualCrc = new DataInputStream(raw).readLong();
            if (declared != count || expectedCrc != actualCrc || !onlyPaddingLeft(raw)) {
                throw new IOException("state snapshot " + name + " is damaged (count or checksum mismatch)");
            }
            return count;
        } catch (EOFException e) {
            throw new IOException("state snapshot " + name + " is truncated", e);
        }
    }

    /** Whether what is left is the zero padding of a client-facing snapshot (less than a page). */
    private static boolean onlyPaddingLeft(InputStream in) throws IOException {
        for (int n = 0; ; n++) {
            int b = in.read();
            if (b == -1) {
                return true;
            }
            if (b != 0 || n >= PAGE_BYTES) {
                return false;
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static byte[] readBytes(DataInputStream in, int n) throws IOException {
        if (n < 0 || n > (256 << 20)) {
            throw new IOException("state snapshot record of " + n + " bytes");
        }
        byte[] out = in.readNBytes(n);
        if (out.length != n) {
            throw new EOFException();
        }
        return out;
    }
}
