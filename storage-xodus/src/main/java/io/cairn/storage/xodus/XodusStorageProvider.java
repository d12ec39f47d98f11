package io.cairn.storage.xodus;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import jetbrains.exodus.ConfigurationStrategy;
import jetbrains.exodus.ExodusException;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.EnvironmentImpl;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.Transaction;
import jetbrains.exodus.io.DataReader;
import jetbrains.exodus.io.FileDataReader;
import jetbrains.exodus.log.Log;
import jetbrains.exodus.log.LogConfig;

/**
 * The {@code xodus} storage provider: a {@link Backend} on a JetBrains Xodus 2.0.1 environment.
 *
 * <p>How the environment is configured, and why:
 * <ul>
 *   <li>Settings start from Xodus's defaults, not from {@code exodus.*} system properties
 *       ({@link ConfigurationStrategy#IGNORE}), so nothing outside the {@link BackendConfig} can turn the safety
 *       settings below off.</li>
 *   <li>Lock timeout 0: a directory that another environment holds fails at once with {@code LOCKED} instead of
 *       Xodus's retry loop.</li>
 *   <li>Durable writes off: a commit is written to the OS but not fsync'd, which is what {@code NOT_SYNCED} asks; a
 *       {@code SYNCED} write then forces the log ({@code EnvironmentImpl.flushAndSync}).</li>
 *   <li>{@code exodus.log.clearInvalid} off (Xodus's default, stated here): a log with a file of the wrong length or
 *       address makes open fail with {@code CORRUPTED} instead of Xodus deleting the whole log. Compact-on-open off: open
 *       never rewrites files.</li>
 *   <li>JMX beans off: they are global names and would need {@code java.management} on the module path.</li>
 *   <li>Recovery at open is checked first: see {@link #openEnvironment}.</li>
 *   <li>GC deletes cleaned files as soon as no transaction can read them (no extra delay), so {@code compact()} shows.</li>
 * </ul>
 */
public final class XodusStorageProvider implements StorageProvider {

    /** The provider id, also written into the directory marker. */
    public static final String ID = "xodus";
    /** The on-disk layout of this provider: Xodus 2.0.1 log files, one B+tree store per keyspace, raw keys. */
    static final int FORMAT_VERSION = 1;

    /** For ServiceLoader. */
    public XodusStorageProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "JetBrains Xodus 2.0.1 (Environment/Store API)";
    }

    @Override
    public Backend open(BackendConfig config) {
        Objects.requireNonNull(config, "config is null");
        XodusOptions options = XodusOptions.parse(config.options()); // bad options: fail before touching the directory
        Path directory = config.directory();
        BackendDirectory.claim(directory, ID, FORMAT_VERSION);
        EnvironmentConfig environmentConfig = environmentConfig(options);
        EnvironmentImpl environment = openEnvironment(directory, environmentConfig);
        try {
            Map<String, Store> stores = openStores(environment, config, directory);
            return new XodusBackend(directory, environment, stores, DurableWatermark.open(directory));
        } catch (RuntimeException e) {
            try {
                environment.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static EnvironmentConfig environmentConfig(XodusOptions options) {
        EnvironmentConfig config = new EnvironmentConfig(ConfigurationStrategy.IGNORE)
                .setLogLockTimeout(0)
                .setLogDurableWrite(false)
                .setLogClearInvalid(false)
                .setEnvCompactOnOpen(false)
                .setManagementEnabled(false)
                .setGcFilesDeletionDelay(0)
                // close() aborts the snapshots it knows of; never leave the directory locked over a stray transaction
                .setEnvCloseForcedly(true);
        options.logFileSizeKb().ifPresent(config::setLogFileSize);
        options.cachePercent().ifPresent(percent -> config.setLogCacheShared(false).setMemoryUsagePercentage(percent));
        options.gcMinUtilization().ifPresent(config::setGcMinUtilization);
        return config;
    }

    /**
     * Opens the environment, first with Xodus's recovery as a dry run ({@link GuardedFileDataWriter}). If recovery
     * wants to cut the log, the cut is checked against the {@link DurableWatermark}: below it, durable transactions
     * would be dropped, and the open fails with {@code CORRUPTED} with every file as it was; at or above it, the cut
     * only drops a commit that never finished (the torn tail of a crash), so the open is repeated for real.
     */
    private static EnvironmentImpl openEnvironment(Path directory, EnvironmentConfig config) {
        long durable;
        try {
            durable = DurableWatermark.read(directory);
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot read " + DurableWatermark.FILE_NAME + " in " + directory + ": " + e, e);
        }
        try {
            return construct(directory, config, true);
        } catch (GuardedFileDataWriter.RecoveryCut cut) {
            if (cut.address() < 0 || cut.address() < durable) {
                throw new StorageException(StorageException.Reason.CORRUPTED, "the Xodus log in " + directory + " is damaged: "
                        + (cut.address() < 0 ? "Xodus's recovery would clear the whole log"
                                : "Xodus's recovery would cut it at address " + cut.address() + ", below address " + durable
                                        + " up to which writes were made durable, and so drop acknowledged transactions")
                        + "; refusing to open (nothing was repaired or deleted)", cut);
            }
            return construct(directory, config, false);
        }
    }

    /**
     * Opens the log, then the environment on it. The log comes first and separately so that a failure of the
     * environment (a damaged log) still releases the log's lock.
     */
    private static EnvironmentImpl construct(Path directory, EnvironmentConfig config, boolean dryRunRecovery) {
        Log log;
        GuardedFileDataWriter writer;
        try {
            FileDataReader reader = new FileDataReader(directory.toFile());
            writer = new GuardedFileDataWriter(reader, directory, dryRunRecovery);
            // FileDataReader's superclass is kotlin-logging's mu.KLogging, which is only on the runtime path; the
            // detour through Object spares javac the subtype check that would need it
            DataReader dataReader = (DataReader) (Object) reader;
            log = Environments.newLogInstance(new LogConfig().setLocation(directory.toString()).setReaderWriter(dataReader, writer), config);
        } catch (ExodusException e) {
            throw openFailure(directory, e);
        }
        try {
            EnvironmentImpl environment = (EnvironmentImpl) Environments.newInstance(log, config);
            writer.disarm();
            return environment;
        } catch (RuntimeException e) {
            try {
                log.close();
            } catch (RuntimeException closeFailure) {
                log.release(); // at least give the directory lock back
            }
            throw e instanceof ExodusException exodus ? openFailure(directory, exodus) : e;
        }
    }

    private static StorageException openFailure(Path directory, ExodusException failure) {
        String reason = XodusFailures.describe(failure);
        if (reason.startsWith("Can't acquire environment lock")) {
            return new StorageException(StorageException.Reason.LOCKED, "the Xodus environment in " + directory
                    + " is open elsewhere (in this process or another one): " + reason, failure);
        }
        if (XodusFailures.isIo(failure) && !XodusFailures.isCorruption(failure)) {
            return new StorageException(StorageException.Reason.IO, "cannot open the Xodus environment in " + directory + ": " + reason, failure);
        }
        String hint = reason.startsWith("Unexpected file length") ? " (if " + XodusOptions.LOG_FILE_SIZE
                + " was changed: it must stay what the directory was created with)" : "";
        return new StorageException(StorageException.Reason.CORRUPTED, "the Xodus log in " + directory
                + " is damaged; nothing was repaired or deleted: " + reason + hint, failure);
    }

    /** Opens (creating if missing) one store per keyspace, in one transaction (durable with the first sync). */
    private static Map<String, Store> openStores(EnvironmentImpl environment, BackendConfig config, Path directory) {
        Map<String, Store> stores = new TreeMap<>();
        Transaction txn = environment.beginExclusiveTransaction();
        try {
            for (String keyspace : config.keyspaces()) {
                stores.put(keyspace, environment.openStore(keyspace, XodusBackend.STORE_CONFIG, txn));
            }
            if (!txn.commit()) {
                throw new StorageException(StorageException.Reason.IO, "Xodus refused to create the keyspaces of " + directory);
            }
        } catch (ExodusException e) {
            throw XodusFailures.of("opening keyspaces " + config.keyspaces() + " in " + directory, e);
        } finally {
            if (!txn.isFinished()) {
                txn.abort();
            }
        }
        return java.util.Collections.unmodifiableMap(stores);
    }
}
