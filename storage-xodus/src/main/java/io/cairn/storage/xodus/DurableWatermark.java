package io.cairn.storage.xodus;

import io.cairn.spi.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The side file {@value #FILE_NAME}: a Xodus log address below which the log is known to be on stable storage
 * (recorded after every {@code SYNCED} write, {@code flush()} and {@code close()}, and into every checkpoint).
 *
 * <p>Why: on open, Xodus 2.0.1 recovers to the newest database root it can read and truncates the log after it,
 * with no setting to refuse. For the torn tail of a commit that never finished that is right; but if a byte in the
 * middle of the log is damaged, Xodus silently cuts every later (even fsync'd) transaction. The open compares the
 * cut that Xodus wants with this address and refuses a cut below it as {@code CORRUPTED}, before any file changes.
 *
 * <p>Invariant: the recorded address is never above the log's durable end. It is taken before the log's fsync and
 * written after it; the log only grows at its end, so every value that ever reaches the disk stays true. The side
 * file itself is written without fsync (no second fsync per write): after a power loss it may hold an older
 * address, which only makes the check weaker. A torn or unreadable side file counts as address 0 (no check).
 *
 * <p>Threading: {@link #advance} is safe from many threads; the recorded address only grows.
 */
final class DurableWatermark implements AutoCloseable {

    static final String FILE_NAME = "cairn-xodus-durable";
    private static final int LENGTH = 2 * Long.BYTES;

    private final Path file;
    private final FileChannel channel;
    /** The highest address written to the file; guarded by {@code this}. */
    private long recorded;

    private DurableWatermark(Path file, FileChannel channel, long recorded) {
        this.file = file;
        this.channel = channel;
        this.recorded = recorded;
    }

    /** Opens (creating if missing) the side file of {@code directory}. */
    static DurableWatermark open(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        try {
            long recorded = read(directory);
            return new DurableWatermark(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), recorded);
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot open " + file + ": " + e, e);
        }
    }

    /** The address recorded in {@code directory}, 0 if there is none or it is unreadable. */
    static long read(Path directory) throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(directory.resolve(FILE_NAME));
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (content.length != LENGTH) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(content);
        long address = buffer.getLong();
        return buffer.getLong() == checksum(address) && address >= 0 ? address : 0;
    }

    /** Records {@code address} (if higher than the recorded one) without forcing the side file. */
    synchronized void advance(long address) {
        if (address <= recorded) {
            return;
        }
        try {
            channel.write(encode(address), 0);
            recorded = address;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot write " + file + ": " + e, e);
        }
    }

    /** Records {@code address} and forces the side file (on close, where one more fsync costs nothing). */
    synchronized void advanceAndForce(long address) {
        advance(address);
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot sync " + file + ": " + e, e);
        }
    }

    /** Writes a new side file for a checkpoint whose log ends at {@code address}. */
    static void writeDurably(Path directory, long address) throws IOException {
        try (FileChannel out = FileChannel.open(directory.resolve(FILE_NAME), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(encode(address), 0);
            out.force(false);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot close " + file + ": " + e, e);
        }
    }

    private static ByteBuffer encode(long address) {
        return ByteBuffer.allocate(LENGTH).putLong(address).putLong(checksum(address)).flip();
    }

    private static long checksum(long address) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, address));
        return crc.getValue() ^ 0x43_41_49_52_4E_58_44_00L; // "CAIRNXD": a zero-filled file is not valid
    }
}
