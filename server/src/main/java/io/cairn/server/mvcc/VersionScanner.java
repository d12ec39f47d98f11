package io.cairn.server.mvcc;

import io.cairn.spi.storage.ReadView;
import io.cairn.spi.storage.ScanOrder;

import java.util.Arrays;

/**
 * Reads the newest version at or below a revision of each key in a key range, by one forward scan
 * of {@link MvccCodec#KV_BY_KEY}.
 *
 * <p>Versions of a key sort newest first, so at the newest revision the first entry of each key
 * is the answer and the rest of the key's history is skipped. Skipping by visiting is cheap for a
 * short history; after {@link #SKIP_BUDGET} useless entries of one key the scan is restarted at a
 * computed bound instead (the key's first version at or below the revision, or the next key), so a
 * key with a long history costs one extra seek, not its whole history.
 */
final class VersionScanner {

    /** Receives visible versions in key order; returns false to stop. */
    @FunctionalInterface
    interface Sink {
        boolean accept(StoredVersion version);
    }

    static final int SKIP_BUDGET = 8;

    private VersionScanner() {}

    /**
     * The newest stored version of {@code key} with a main revision at or below {@code revision}
     * (a tombstone if the key was deleted then), or null if there is none.
     */
    static StoredVersion newest(ReadView view, byte[] key, long revision) {
        byte[] prefix = MvccCodec.keyPrefix(key);
        StoredVersion[] found = new StoredVersion[1];
        view.scan(MvccCodec.KV_BY_KEY, MvccCodec.seekAtOrBelow(prefix, revision), MvccCodec.afterKey(prefix),
                ScanOrder.ASCENDING, 1, (k, v) -> {
                    found[0] = new StoredVersion(key, MvccCodec.mainOf(k, prefix.length), MvccCodec.subOf(k, prefix.length), v);
                    return false;
                });
        return found[0];
    }

    /**
     * Visits, in key order, the live version (newest at or below {@code revision}, not a tombstone)
     * of every key in {@code [start, end)}; {@code end} null means no upper bound.
     */
    static void scanLive(ReadView view, byte[] start, byte[] end, long revision, Sink sink) {
        if (end != null && Arrays.compareUnsigned(start, end) >= 0) {
            return;
        }
        ScanState state = new ScanState(revision, sink);
        byte[] from = MvccCodec.keyPrefix(start);
        byte[] to = end == null ? null : MvccCodec.keyPrefix(end);
        while (from != null) {
            state.reseek = null;
            view.scan(MvccCodec.KV_BY_KEY, from, to, ScanOrder.ASCENDING, 0, state::visit);
            from = state.stopped ? null : state.reseek;
        }
    }

    private static final class ScanState {
        final long revision;
        final Sink sink;
        /** The escaped prefix of the key being read, and whether its answer was already found. */
        byte[] currentPrefix;
        boolean currentDone;
        int skipped;
        byte[] reseek;
        boolean stopped;

        ScanState(long revision, Sink sink) {
            this.revision = revision;
            this.sink = sink;
        }

        boolean visit(byte[] versionKey, byte[] record) {
            int prefixLength = MvccCodec.prefixLength(versionKey);
            boolean sameKey = currentPrefix != null && prefixLength == currentPrefix.length
                    && Arrays.equals(versionKey, 0, prefixLength, currentPrefix, 0, prefixLength);
            if (!sameKey) {
                currentPrefix = Arrays.copyOf(versionKey, prefixLength);
                currentDone = false;
                skipped = 0;
            }
            if (currentDone) {
                if (++skipped > SKIP_BUDGET) {
                    reseek = MvccCodec.afterKey(currentPrefix);
                    return false;
                }
                return true;
            }
            long main = MvccCodec.mainOf(versionKey, prefixLength);
            if (main > revision) {
                if (++skipped > SKIP_BUDGET) {
                    skipped = 0;
                    reseek = MvccCodec.seekAtOrBelow(currentPrefix, revision);
                    return false;
                }
                return true;
            }
            currentDone = true;
            skipped = 0;
            if (MvccCodec.isTombstone(record)) {
                return true;
            }
            StoredVersion version = new StoredVersion(MvccCodec.decodeKey(versionKey), main,
                    MvccCodec.subOf(versionKey, prefixLength), record);
            if (!sink.accept(version)) {
                stopped = true;
                return false;
            }
            return true;
        }
    }
}
