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
 * everything before the CRC}. A truncated or damaged stream fails to parse.
 *
 * <p>Files live in {@code <dataDir>/member/snap}: outgoing ones while being sent, received ones
 * until installed. Threading: static helpers, each call on its own files.
 */
final class StateSnapshots {

    private static final byte[] MAGIC = "CAIRNSS1".getBytes(StandardCharsets.US_ASCII);
    private static final int BATCH_BYTES = 4 << 20;

    private StateSnapshots() {}

    /** Writes every key of {@code keyspaces} seen by {@code view} to {@code target}; closes nothing. */
    static void write(ReadSnapshot view, List<String> keyspaces, Path target) throws IOException {
        CRC32 crc = new CRC32();
        try (OutputStream file = Files.newOutputStream(target);
             DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc))) {
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

    /** Copies a received stream to {@code target} (synced), checking it parses whole. */
    static void receive(InputStream data, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(data, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        parse(tmp, null, null);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Replaces the contents of {@code keyspaces} in {@code backend} with the snapshot in {@code file}
     * (batches of a few MiB, then a sync). Not atomic as a whole: the caller installs it before it
     * records the snapshot in the Raft log, so a crash part-way leaves a log that still asks for it.
     */
    static void install(Path file, Backend backend, List<String> keyspaces) throws IOException {
        WriteBatch clear = new WriteBatch();
        for (String keyspace : keyspaces) {
            clear.deleteRange(keyspace, null, null);
        }
        backend.write(clear, Durability.NOT_SYNCED);
        parse(file, backend, keyspaces);
        backend.flush();
    }

    /** Reads {@code file}, writing its records to {@code backend} when it is not null. */
    private static void parse(Path file, Backend backend, List<String> keyspaces) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a Cairn state snapshot: " + file);
            }
            long count = 0;
            WriteBatch batch = new WriteBatch();
            while (true) {
                int tag = in.read();
                if (tag == 0) {
                    break;
                }
                if (tag != 1) {
                    throw new IOException("state snapshot " + file + " is damaged: record tag " + tag);
                }
                String keyspace = new String(readBytes(in, in.readUnsignedShort()), StandardCharsets.UTF_8);
                byte[] key = readBytes(in, in.readInt());
                byte[] value = readBytes(in, in.readInt());
                count++;
                if (backend != null) {
                    if (!keyspaces.contains(keyspace)) {
                        throw new IOException("state snapshot " + file + " holds unknown keyspace " + keyspace);
                    }
                    batch.put(keyspace, key, value);
                    if (batch.approximateBytes() > BATCH_BYTES) {
                        backend.write(batch, Durability.NOT_SYNCED);
                        batch = new WriteBatch();
                    }
                }
            }
            long declared = in.readLong();
            long expectedCrc = crc.getValue();
            long actualCrc = new DataInputStream(raw).readLong();
            if (declared != count || expectedCrc != actualCrc || raw.read() != -1) {
                throw new IOException("state snapshot " + file + " is damaged (count or checksum mismatch)");
            }
            if (backend != null && !batch.isEmpty()) {
                backend.write(batch, Durability.NOT_SYNCED);
            }
        } catch (EOFException e) {
            throw new IOException("state snapshot " + file + " is truncated", e);
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
