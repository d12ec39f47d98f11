package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Round trips of {@link RaftCodec} over random values, and rejection of damaged input. */
class RaftCodecTest {
    private final SplittableRandom rnd = new SplittableRandom(11);

    private long num() {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(200);
            case 2 -> rnd.nextLong(1L << 40);
            default -> Long.MAX_VALUE - rnd.nextInt(3);
        };
    }

    private byte[] data() {
        byte[] b = new byte[rnd.nextInt(40)];
        rnd.nextBytes(b);
        return b;
    }

    private Entry entry() {
        return new Entry(num(), num(), rnd.nextBoolean() ? EntryType.NORMAL : EntryType.CONF_CHANGE, data());
    }

    private Set<Long> ids() {
        Set<Long> s = new HashSet<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            s.add(1 + rnd.nextLong(1000));
        }
        return s;
    }

    private ConfState confState() {
        Set<Long> voters = ids();
        Set<Long> learners = ids();
        learners.removeAll(voters);
        if (rnd.nextBoolean()) {
            return ConfState.of(voters, learners);
        }
        Set<Long> outgoing = ids();
        outgoing.add(1 + rnd.nextLong(1000));
        Set<Long> next = new HashSet<>();
        for (long id : outgoing) {
            if (!voters.contains(id) && !learners.contains(id) && rnd.nextBoolean()) {
                next.add(id);
            }
        }
        return new ConfState(voters, learners, outgoing, next, rnd.nextBoolean());
    }

    private Snapshot snapshot() {
        return new Snapshot(new SnapshotMetadata(confState(), num(), num()), data());
    }

    private Message message() {
        List<Entry> ents = new ArrayList<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            ents.add(entry());
        }
        MessageType t = MessageType.values()[rnd.nextInt(MessageType.values().length)];
        return new Message(t, num(), num(), num(), num(), num(), ents, num(),
                t == MessageType.SNAP || rnd.nextBoolean() ? snapshot() : null, rnd.nextBoolean(), num(), data());
    }

    @Test
    void roundTrips() {
        for (int i = 0; i < 2000; i++) {
            Message m = message();
            assertEquals(m, RaftCodec.decodeMessage(RaftCodec.encodeMessage(m)));
            Entry e = entry();
            assertEquals(e, RaftCodec.decodeEntry(RaftCodec.encodeEntry(e)));
            HardState hs = new HardState(num(), num(), num());
            assertEquals(hs, RaftCodec.decodeHardState(RaftCodec.encodeHardState(hs)));
            ConfState cs = confState();
            assertEquals(cs, RaftCodec.decodeConfState(RaftCodec.encodeConfState(cs)));
            SnapshotMetadata md = new SnapshotMetadata(cs, num(), num());
            assertEquals(md, RaftCodec.decodeSnapshotMetadata(RaftCodec.encodeSnapshotMetadata(md)));
            Snapshot s = snapshot();
            assertEquals(s, RaftCodec.decodeSnapshot(RaftCodec.encodeSnapshot(s)));
            List<ConfChangeSingle> changes = new ArrayList<>();
            int n = rnd.nextInt(4);
            for (int j = 0; j < n; j++) {
                changes.add(new ConfChangeSingle(ConfChangeType.values()[rnd.nextInt(3)], 1 + rnd.nextLong(1000)));
            }
            ConfChange cc = new ConfChange(ConfChangeTransition.values()[rnd.nextInt(3)], changes, data());
            assertEquals(cc, RaftCodec.decodeConfChange(RaftCodec.encodeConfChange(cc)));
        }
    }

    @Test
    void decodedArraysDoNotAliasInput() {
        Entry e = Entry.normal(1, 2, new byte[] {1, 2, 3});
        byte[] wire = RaftCodec.encodeEntry(e);
        Entry d = RaftCodec.decodeEntry(wire);
        Arrays.fill(wire, (byte) 0);
        assertArrayEquals(new byte[] {1, 2, 3}, d.data());
    }

    @Test
    void everyTruncationIsRejectedWithAClearMessage() {
        Message m = message();
        byte[] wire = RaftCodec.encodeMessage(m);
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeMessage(cut),
                    "a message cut to " + len + " of " + wire.length + " bytes must not decode");
            assertTrue(ex.getMessage().startsWith("malformed message"), ex.getMessage());
        }
    }

    @Test
    void rejectsTrailingBytesWrongTagAndUnknownEnum() {
        byte[] hs = RaftCodec.encodeHardState(new HardState(1, 2, 3));
        byte[] longer = Arrays.copyOf(hs, hs.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeHardState(longer))
                .getMessage().contains("trailing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeEntry(hs))
                .getMessage().contains("expected tag"));
        byte[] entry = RaftCodec.encodeEntry(Entry.normal(1, 1, new byte[0]));
        entry[4] = 9; // the entry type ordinal
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeEntry(entry))
                .getMessage().contains("unknown entry type"));
        byte[] version = RaftCodec.encodeHardState(new HardState(1, 2, 3));
        version[1] = 7;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeHardState(version))
                .getMessage().contains("version"));
    }

    @Test
    void rejectsInvalidValuesInsideValidFraming() {
        // A conf state that lists node 5 as voter and learner at once.
        ConfState ok = ConfState.of(List.of(5L), List.of(6L));
        byte[] wire = RaftCodec.encodeConfState(ok);
        // layout: tag, version, 1 voter (5), 1 learner (6) ... change the learner to 5
        assertEquals(6, wire[5]);
        wire[5] = 5;
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> RaftCodec.decodeConfState(wire));
        assertTrue(ex.getMessage().contains("both voter and learner"), ex.getMessage());
    }
}
