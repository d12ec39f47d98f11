package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.server.AutoCompaction;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The quota and auto-compaction flags: etcd's defaults and values, errors that name the flag. */
class MaintenanceOptionsTest {

    private static MaintenanceOptions options(String... args) throws UsageException {
        return assertInstanceOf(ServerOptions.Run.class, ServerOptions.parse(List.of(args), Path.of("/tmp")))
                .options().maintenance();
    }

    @Test
    void defaultsAreEtcds() throws UsageException {
        MaintenanceOptions defaults = options();
        assertEquals(0, defaults.quotaBackendBytes(), "0: etcd's 2 GiB");
        assertFalse(defaults.autoCompaction().enabled());
        assertEquals(AutoCompaction.Mode.PERIODIC, defaults.autoCompaction().mode());
        assertEquals(Duration.ofMinutes(5), defaults.autoCompaction().revisionCheckInterval());
    }

    @Test
    void valuesAsEtcdTakesThem() throws UsageException {
        assertEquals(8L << 30, options("--quota-backend-bytes", Long.toString(8L << 30)).quotaBackendBytes());
        assertEquals(Duration.ofHours(2), options("--auto-compaction-retention", "2").autoCompaction().period());
        AutoCompaction revision = options("--auto-compaction-mode=revision", "--auto-compaction-retention=1000",
                "--experimental-auto-compaction-check-interval", "30s").autoCompaction();
        assertEquals(1000, revision.revisions());
        assertEquals(Duration.ofSeconds(30), revision.revisionCheckInterval());
        assertTrue(revision.enabled());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--quota-backend-bytes|lots|--quota-backend-bytes must be a whole number",
            "--auto-compaction-mode|daily|--auto-compaction-mode must be periodic or revision",
            "--auto-compaction-retention|soon|--auto-compaction-retention: periodic retention must be a duration",
            "--experimental-auto-compaction-check-interval|0s|--experimental-auto-compaction-check-interval must be positive",
    })
    void badValuesNameTheFlag(String flag, String value, String message) {
        UsageException e = assertThrows(UsageException.class, () -> options(flag, value));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void revisionRetentionIsAWholeNumber() {
        UsageException e = assertThrows(UsageException.class,
                () -> options("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1h"));
        assertTrue(e.getMessage().contains("whole number of revisions"), e.getMessage());
    }
}
