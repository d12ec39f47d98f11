package io.cairn.storage.xodus;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The {@code xodus.*} options of a {@link io.cairn.spi.storage.BackendConfig}, parsed and checked.
 *
 * <ul>
 *   <li>{@code xodus.log-file-size}: size of one Xodus log file ({@code .xd}) in KiB, a positive multiple of 64
 *       (Xodus's log cache page); default 8192. Space is reclaimed file by file, so smaller files compact in
 *       smaller steps. It must not change for an existing directory: Xodus refuses files of another size.</li>
 *   <li>{@code xodus.cache-percent}: gives this backend its own log cache of this share of the heap, 1 to 90.
 *       Default: Xodus's cache shared by every environment of the JVM.</li>
 *   <li>{@code xodus.gc-min-utilization}: background garbage collection keeps the log at least this full, in
 *       percent, 1 to 90; default 50.</li>
 * </ul>
 *
 * @param logFileSizeKb {@code xodus.log-file-size}, if given
 * @param cachePercent {@code xodus.cache-percent}, if given
 * @param gcMinUtilization {@code xodus.gc-min-utilization}, if given
 */
record XodusOptions(OptionalLong logFileSizeKb, OptionalInt cachePercent, OptionalInt gcMinUtilization) {

    static final String PREFIX = XodusStorageProvider.ID + ".";
    static final String LOG_FILE_SIZE = PREFIX + "log-file-size";
    static final String CACHE_PERCENT = PREFIX + "cache-percent";
    static final String GC_MIN_UTILIZATION = PREFIX + "gc-min-utilization";

    private static final String ACCEPTED = String.join(", ", LOG_FILE_SIZE, CACHE_PERCENT, GC_MIN_UTILIZATION);
    /** Xodus's default log cache page; a log file must hold a whole number of pages. */
    private static final int CACHE_PAGE_KB = 64;

    /**
     * Reads the {@code xodus.} keys of {@code options}; other keys belong to other providers and are ignored.
     *
     * @throws IllegalArgumentException naming the key for an unknown {@code xodus.} key (with the accepted ones) or a
     *     bad value
     */
    static XodusOptions parse(Map<String, String> options) {
        OptionalLong logFileSizeKb = OptionalLong.empty();
        OptionalInt cachePercent = OptionalInt.empty();
        OptionalInt gcMinUtilization = OptionalInt.empty();
        // sorted, so that the first bad key reported does not depend on map order
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            String key = option.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = option.getValue() == null ? "" : option.getValue().trim();
            switch (key) {
                case LOG_FILE_SIZE -> {
                    long kb = parseLong(key, value);
                    if (kb <= 0 || kb % CACHE_PAGE_KB != 0) {
                        throw new IllegalArgumentException("option " + key + "=" + value
                                + ": expected a positive number of KiB that is a multiple of " + CACHE_PAGE_KB);
                    }
                    logFileSizeKb = OptionalLong.of(kb);
                }
                case CACHE_PERCENT -> cachePercent = OptionalInt.of(percent(key, value));
                case GC_MIN_UTILIZATION -> gcMinUtilization = OptionalInt.of(percent(key, value));
                default -> throw new IllegalArgumentException(
                        "unknown option '" + key + "' for storage provider '" + XodusStorageProvider.ID + "'; accepted: " + ACCEPTED);
            }
        }
        return new XodusOptions(logFileSizeKb, cachePercent, gcMinUtilization);
    }

    private static int percent(String key, String value) {
        long percent = parseLong(key, value);
        if (percent < 1 || percent > 90) {
            throw new IllegalArgumentException("option " + key + "=" + value + ": expected a percentage from 1 to 90");
        }
        return (int) percent;
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + "='" + value + "' is not a whole number", e);
        }
    }
}
