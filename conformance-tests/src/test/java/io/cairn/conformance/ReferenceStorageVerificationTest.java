package io.cairn.conformance;

import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The kit run on its own reference backend: shows that a correct backend passes every rule, and
 * keeps the kit honest while no plugin is at hand.
 *
 * <p>Limits, stated plainly: the reference provider lives in test classes, which cannot declare
 * {@code provides}, so spec 10.1 here checks discovery among {@link #discoveredProviders()} that
 * include it explicitly, not a real ServiceLoader lookup (the plugin verification classes do that).
 */
class ReferenceStorageVerificationTest extends StorageVerification {

    @Override
    protected StorageProvider provider() {
        return new ReferenceStorageProvider();
    }

    @Override
    protected List<StorageProvider> discoveredProviders() {
        List<StorageProvider> providers = new ArrayList<>(StorageProviders.all());
        providers.add(new ReferenceStorageProvider());
        return providers;
    }

    /** Overwrites the log's header, which the reference backend reports as CORRUPTED. */
    @Override
    protected void corrupt(Path directory) throws IOException {
        try (FileChannel log = FileChannel.open(directory.resolve("batches.log"), StandardOpenOption.WRITE)) {
            log.write(ByteBuffer.wrap("garbage".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
        }
    }

    /** The child JVM needs the test classes (patched into the kit's module, as surefire does) and the provider's name. */
    @Override
    protected List<String> childJvmOptions() {
        return childOptionsForReferenceProvider();
    }

    static List<String> childOptionsForReferenceProvider() {
        try {
            Path testClasses = Path.of(ReferenceStorageProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> options = new ArrayList<>();
            if (ReferenceStorageProvider.class.getModule().isNamed()) {
                options.add("--patch-module");
                options.add(ReferenceStorageProvider.class.getModule().getName() + "=" + testClasses);
            }
            options.add("-D" + CrashWriter.EXTRA_PROVIDERS_PROPERTY + "=" + ReferenceStorageProvider.class.getName());
            return options;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
