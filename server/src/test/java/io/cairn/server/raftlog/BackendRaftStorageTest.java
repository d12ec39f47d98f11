package io.cairn.server.raftlog;

import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import io.cairn.raft.RaftStorageException;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageProviders;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackendRaftStorageTest {

    @TempDir
    Path dir;

    private Backend open(String storage) {
        return StorageProviders.byId(storage).open(BackendConfig.of(dir.resolve("raft"), BackendRaftStorage.KEYSPACES));
    }

    private static Entry entry(long term, long index) {
        return Entry.normal(term, index, ("e" + index + "t" + term).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void appendsTruncatesAndSurvivesReopen(String storage) {
        Backend backend = open(storage);
        BackendRaftStorage log = BackendRaftStorage.open(backend);
        assertEquals(0, log.lastIndex());
        assertEquals(1, log.firstIndex());
        assertEquals(HardState.EMPTY, log.initialState().hardState());

        log.save(null, List.of(entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)), new HardState(1, 7, 2), true);
        assertEquals(4, log.lastIndex());
        assertEquals(1, log.syncedWrites());
        // a conflicting suffix from index 3 on: 3 and 4 are replaced, nothing beyond survives
        log.save(null, List.of(entry(2, 3)), new HardState(2, 0, 2), true);
        assertEquals(3, log.lastIndex());
        assertEquals(2, log.term(3));
        assertEquals(List.of(entry(1, 1), entry(1, 2), entry(2, 3)), log.entries(1, 4, Long.MAX_VALUE));
        // size limit: at least one entry, then what fits
        assertEquals(1, log.entries(1, 4, 1).size());
        assertThrows(RaftStorageException.class, () -> log.entries(1, 5, Long.MAX_VALUE));
        log.saveConfState(ConfState.ofVoters(7));
        backend.close();

        Backend reopened = open(storage);
        BackendRaftStorage again = BackendRaftStorage.open(reopened);
        assertEquals(3, again.lastIndex());
        assertEquals(new HardState(2, 0, 2), again.initialState().hardState());
        assertEquals(ConfState.ofVoters(7), again.initialState().confState());
        assertArrayEquals(entry(2, 3).data(), again.entries(3, 4, Long.MAX_VALUE).get(0).data());
        reopened.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void compactionDropsThePrefixAndKeepsTheTermOfItsLastEntry(String storage) {
        Backend backend = open(storage);
        BackendRaftStorage log = BackendRaftStorage.open(backend);
        log.save(null, List.of(entry(1, 1), entry(1, 2), entry(2, 3), entry(2, 4), entry(3, 5)), new HardState(3, 1, 5), true);
        log.compact(3);
        assertEquals(4, log.firstIndex());
        assertEquals(2, log.term(3));
        assertEquals(3, log.snapshot().metadata().index());
        RaftStorageException compacted = assertThrows(RaftStorageException.class, () -> log.entries(3, 5, Long.MAX_VALUE));
        assertEquals(RaftStorageException.Reason.COMPACTED, compacted.reason());
        assertThrows(RaftStorageException.class, () -> log.term(2));
        assertThrows(RaftStorageException.class, () -> log.compact(2));
        backend.close();

        Backend reopened = open(storage);
        BackendRaftStorage again = BackendRaftStorage.open(reopened);
        assertEquals(4, again.firstIndex());
        assertEquals(5, again.lastIndex());
        assertEquals(2, again.term(3));
        assertEquals(List.of(entry(2, 4), entry(3, 5)), again.entries(4, 6, Long.MAX_VALUE));
        // appending right after the compaction point still works
        again.save(null, List.of(entry(4, 6)), null, true);
        assertEquals(6, again.lastIndex());
        reopened.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void refusesAGapAndNonConsecutiveEntries(String storage) {
        Backend backend = open(storage);
        BackendRaftStorage log = BackendRaftStorage.open(backend);
        log.save(null, List.of(entry(1, 1)), null, true);
        assertThrows(IllegalArgumentException.class, () -> log.save(null, List.of(entry(1, 3)), null, true));
        assertThrows(IllegalArgumentException.class, () -> log.save(null, List.of(entry(1, 2), entry(1, 4)), null, true));
        assertEquals(1, log.lastIndex());
        backend.close();
    }
}
