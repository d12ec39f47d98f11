package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.WriteBatch;

/**
 * Wraps a backend so that, after a given number of successful writes, every write fails without
 * being applied: the state a crash between two batches leaves behind. Works over any backend.
 */
final class FaultyBackend extends ForwardingBackend {

    private int writesLeft;

    FaultyBackend(Backend delegate, int successfulWrites) {
        super(delegate);
        this.writesLeft = successfulWrites;
    }

    @Override
    public void write(WriteBatch batch, Durability durability) {
        if (writesLeft == 0) {
            throw new StorageException(StorageException.Reason.IO, "injected crash before this batch");
        }
        writesLeft--;
        super.write(batch, durability);
    }
}
