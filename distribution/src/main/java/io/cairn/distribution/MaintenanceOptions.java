package io.cairn.distribution;

import io.cairn.server.AutoCompaction;

import java.time.Duration;
import java.util.Map;

/**
 * etcd's flags for the backend quota and auto-compaction, checked.
 *
 * @param quotaBackendBytes {@code --quota-backend-bytes}: 0 for etcd's 2 GiB, negative for none
 * @param autoCompaction {@code --auto-compaction-mode} and {@code --auto-compaction-retention}
 *     (with Cairn's {@code --experimental-auto-compaction-check-interval})
 */
record MaintenanceOptions(long quotaBackendBytes, AutoCompaction autoCompaction) {

    static MaintenanceOptions fromFlags(Map<Flag, String> given) throws UsageException {
        String quotaText = ServerOptions.value(given, Flag.QUOTA_BACKEND_BYTES).trim();
        long quota;
        try {
            quota = Long.parseLong(quotaText);
        } catch (NumberFormatException e) {
            throw new UsageException(Flag.QUOTA_BACKEND_BYTES + " must be a whole number of bytes, got '" + quotaText + "'");
        }
        String intervalText = ServerOptions.value(given, Flag.EXPERIMENTAL_AUTO_COMPACTION_CHECK_INTERVAL).trim();
        Duration interval;
        try {
            interval = AutoCompaction.goDuration(intervalText);
        } catch (IllegalArgumentException e) {
            throw new UsageException(Flag.EXPERIMENTAL_AUTO_COMPACTION_CHECK_INTERVAL + " must be a duration such as 30s or 5m,"
                    + " got '" + intervalText + "'");
        }
        if (interval.isZero()) {
            throw new UsageException(Flag.EXPERIMENTAL_AUTO_COMPACTION_CHECK_INTERVAL + " must be positive");
        }
        String mode = ServerOptions.value(given, Flag.AUTO_COMPACTION_MODE);
        if (!mode.equals("periodic") && !mode.equals("revision")) {
            throw new UsageException(Flag.AUTO_COMPACTION_MODE + " must be periodic or revision, got '" + mode + "'");
        }
        try {
            return new MaintenanceOptions(quota, AutoCompaction.parse(mode,
                    ServerOptions.value(given, Flag.AUTO_COMPACTION_RETENTION), interval));
        } catch (IllegalArgumentException e) {
            throw new UsageException(Flag.AUTO_COMPACTION_RETENTION + ": " + e.getMessage());
        }
    }
}
