package io.cairn.conformance;

import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** The Xodus plugin against the storage conformance kit, found by id as the server finds it. */
class XodusStorageVerificationTest extends StorageVerification {

    @Override
    protected StorageProvider provider() {
        return StorageProviders.byId("xodus");
    }

    /** Overwrites bytes in the middle of the first log file, below what was synced. */
    @Override
    protected void corrupt(Path directory) throws IOException {
        Path firstLog;
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> logs = files.filter(file -> file.getFileName().toString().endsWith(".xd")).sorted().toList();
            if (logs.isEmpty()) {
                throw new IOException("no Xodus log file (*.xd) in " + directory);
            }
            firstLog = logs.get(0);
        }
        long size = Files.size(firstLog);
        byte[] garbage = new byte[(int) Math.min(512, size / 4)];
        new Random(97).nextBytes(garbage);
        try (RandomAccessFile file = new RandomAccessFile(firstLog.toFile(), "rw")) {
            file.seek(size / 3);
            file.write(garbage);
        }
    }
}
