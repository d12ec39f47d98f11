package io.cairn.server.auth;

import io.cairn.api.Bytes;
import io.cairn.api.auth.Permission;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Whether granted permissions cover a requested key range, in etcd's {@code (key, rangeEnd)} form:
 * an empty range end is the single key, {@code "\0"} every key from {@code key} on. Keys are
 * compared as unsigned bytes; the permissions' intervals are merged, so two adjacent grants cover
 * a range that spans both (as etcd's interval tree does).
 */
final class KeyIntervals {

    /** {@code [start, end)}; {@code end} null for "no end". */
    private record Interval(Bytes start, Bytes end) {}

    private KeyIntervals() {}

    static boolean covers(List<Permission> granted, Bytes key, Bytes rangeEnd) {
        Interval wanted = interval(key, rangeEnd);
        if (wanted.end() != null && wanted.end().compareTo(wanted.start()) <= 0) {
            // an empty range (end at or before key): etcd checks it as the single key
            wanted = interval(key, Bytes.EMPTY);
        }
        List<Interval> intervals = new ArrayList<>(granted.size());
        for (Permission p : granted) {
            intervals.add(interval(p.key(), p.rangeEnd()));
        }
        intervals.sort(Comparator.comparing(Interval::start));
        Bytes reached = wanted.start();
        for (Interval i : intervals) {
            if (i.start().compareTo(reached) > 0) {
                break; // a gap before this interval
            }
            if (i.end() == null) {
                return true;
            }
            if (i.end().compareTo(reached) > 0) {
                reached = i.end();
            }
            if (wanted.end() != null && reached.compareTo(wanted.end()) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static Interval interval(Bytes key, Bytes rangeEnd) {
        if (rangeEnd.isEmpty()) {
            return new Interval(key, key.concat(Bytes.NUL)); // the key's immediate successor
        }
        if (rangeEnd.equals(Bytes.NUL)) {
            return new Interval(key, null);
        }
        return new Interval(key, rangeEnd);
    }
}
