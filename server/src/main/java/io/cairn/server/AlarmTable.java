package io.cairn.server;

import io.cairn.api.maintenance.AlarmMember;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The raised alarms, as part of the state machine (etcd keeps them in its backend's {@code alarm}
 * bucket): one record per (member, alarm type), raised and disarmed through the Raft log, written
 * in the same batch as the applied index of that entry, so every member holds the same alarms and
 * they survive restarts and travel in snapshots.
 *
 * <p>Threading: written only by the node's loop thread (apply, snapshot install); read from any
 * thread.
 */
final class AlarmTable {

    static final String KEYSPACE = "alarms";
    static final Set<String> KEYSPACES = Set.of(KEYSPACE);

    /** Raised alarms as (member id, alarm ordinal), ordered by member then alarm. */
    private final ConcurrentSkipListSet<AlarmMember> raised = new ConcurrentSkipListSet<>(
            (a, b) -> a.memberId() != b.memberId() ? Long.compareUnsigned(a.memberId(), b.memberId())
                    : Integer.compare(a.alarm().ordinal(), b.alarm().ordinal()));

    private AlarmTable() {}

    static AlarmTable open(Backend backend) {
        AlarmTable table = new AlarmTable();
        table.reload(backend);
        return table;
    }

    /** Reads the table again (after a snapshot replaced the state). */
    void reload(Backend backend) {
        List<AlarmMember> loaded = new ArrayList<>();
        backend.scan(KEYSPACE, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
            ByteBuffer in = ByteBuffer.wrap(key);
            long member = in.getLong();
            int type = in.get();
            if (type > 0 && type < AlarmType.values().length) {
                loaded.add(new AlarmMember(member, AlarmType.values()[type]));
            }
            return true;
        });
        raised.clear();
        raised.addAll(loaded);
    }

    /** The raised alarms of type {@code type} ({@link AlarmType#NONE}: of every type). */
    List<AlarmMember> list(AlarmType type) {
        return raised.stream().filter(a -> type == AlarmType.NONE || a.alarm() == type).toList();
    }

    /** Whether any member raised {@code type}. */
    boolean isRaised(AlarmType type) {
        for (AlarmMember a : raised) {
            if (a.alarm() == type) {
                return true;
            }
        }
        return false;
    }

    /**
     * Raises {@code alarm}: adds its record to {@code batch} and returns it, or returns null if it
     * was raised already (etcd answers an empty list then). Call {@link #commit} after the write.
     */
    AlarmMember activate(AlarmMember alarm, WriteBatch batch) {
        if (alarm.alarm() == AlarmType.NONE || raised.contains(alarm)) {
            return null;
        }
        batch.put(KEYSPACE, key(alarm), new byte[0]);
        return alarm;
    }

    /**
     * Disarms the raised alarms matching {@code alarm} (member 0 matches every member, type NONE
     * every type): adds their deletion to {@code batch} and returns them.
     */
    List<AlarmMember> deactivate(AlarmMember alarm, WriteBatch batch) {
        List<AlarmMember> matching = raised.stream()
                .filter(a -> (alarm.memberId() == 0 || a.memberId() == alarm.memberId())
                        && (alarm.alarm() == AlarmType.NONE || a.alarm() == alarm.alarm()))
                .toList();
        matching.forEach(a -> batch.delete(KEYSPACE, key(a)));
        return matching;
    }

    /** Publishes what {@link #activate}/{@link #deactivate} wrote, once the batch is written. */
    void commit(List<AlarmMember> activated, List<AlarmMember> deactivated) {
        raised.addAll(activated);
        deactivated.forEach(raised::remove);
    }

    private static byte[] key(AlarmMember alarm) {
        return ByteBuffer.allocate(9).putLong(alarm.memberId()).put((byte) alarm.alarm().ordinal()).array();
    }
}
