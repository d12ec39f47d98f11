package io.cairn.storage.xodus;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jetbrains.exodus.io.FileDataReader;
import jetbrains.exodus.io.FileDataWriter;
import jetbrains.exodus.io.RemoveBlockType;

/**
 * Xodus's file writer, with a directory fsync that keeps working and a dry run of recovery.
 *
 * <p>Directory fsync: Xodus fsyncs the directory after it creates a log file, so that the new file's name survives a
 * power loss; but its writer closes the directory channel together with the first full log file, after which its
 * {@code syncDirectory} does nothing (Xodus 2.0.1, {@code FileDataWriter.closeImpl}). This writer opens the
 * directory afresh each time, which happens once per new log file.
 *
 * <p>Recovery dry run: while {@link #armed}, the writer changes no file on Xodus's
 * behalf. Recovery at open first removes the log files above the address it recovers to, then truncates the file
 * that holds that address; armed, removals are skipped and the truncation stops the open with a
 * {@link RecoveryCut} that says where Xodus wanted to cut. Clearing the whole log is always refused.
 *
 * <p>Threading: armed only while the environment is being constructed, on the opening thread.
 */
final class GuardedFileDataWriter extends FileDataWriter {

    /** Thrown through Xodus's recovery (it is not an {@code ExodusException}, so Xodus does not catch it). */
    static final class RecoveryCut extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long address;

        RecoveryCut(long address) {
            super("Xodus's recovery wants to cut the log at address " + address, null, false, false);
            this.address = address;
        }

        /** Where Xodus wanted the log to end; -1 for clearing all of it. */
        long address() {
            return address;
        }
    }

    private final Path directory;
    private volatile boolean armed;

    GuardedFileDataWriter(FileDataReader reader, Path directory, boolean armed) {
        super(reader, null);
        this.directory = directory;
        this.armed = armed;
    }

    @Override
    public void syncDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // as Xodus does: some platforms cannot open a directory; the files themselves are forced
        }
    }

    void disarm() {
        armed = false;
    }

    @Override
    public void removeBlock(long blockAddress, RemoveBlockType removeType) {
        if (armed) {
            return; // a dry run: the truncation that follows reports the cut
        }
        super.removeBlock(blockAddress, removeType);
    }

    @Override
    public void truncateBlock(long blockAddress, long length) {
        if (armed) {
            throw new RecoveryCut(blockAddress + length);
        }
        super.truncateBlock(blockAddress, length);
    }

    @Override
    protected void clearImpl() {
        throw new RecoveryCut(-1); // with exodus.log.clearInvalid off Xodus never asks; never let it wipe the log
    }
}
