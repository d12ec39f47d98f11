package io.cairn.storage.xodus;

import jetbrains.exodus.io.FileDataReader;
import jetbrains.exodus.io.FileDataWriter;
import jetbrains.exodus.io.RemoveBlockType;

/**
 * Xodus's file writer, with a dry run of its recovery: while {@link #armed}, the writer changes no file on Xodus's
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

    private volatile boolean armed;

    GuardedFileDataWriter(FileDataReader reader, boolean armed) {
        super(reader, null);
        this.armed = armed;
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
