package io.cairn.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers to build a bare {@link Raft} and drive it message by message (paper and feature tests). */
final class RaftTestUtil {
    private RaftTestUtil() {}

    static RaftConfig.Builder config(long id) {
        return RaftConfig.builder(id, new SplittableRandom(id)).electionTick(10).heartbeatTick(1);
    }

    static Raft newRaft(long id, int election, int heartbeat, MemoryRaftStorage storage) {
        return new Raft(config(id).electionTick(election).heartbeatTick(heartbeat).build(), storage);
    }

    static Raft newRaft(RaftConfig config, MemoryRaftStorage storage) {
        return new Raft(config, storage);
    }

    /** A storage with these voters and entries of the given terms at indexes 1, 2, …. */
    static MemoryRaftStorage storage(long[] voters, long... terms) {
        MemoryRaftStorage s = MemoryRaftStorage.withVoters(voters);
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            es.add(Entry.empty(terms[i], i + 1));
        }
        s.append(es);
        return s;
    }

    static long[] ids(long... ids) {
        return ids;
    }

    /** Takes the node's outgoing messages (after flushing batched appends). */
    static List<Message> readMessages(Raft r) {
        r.flushAppends();
        List<Message> out = new ArrayList<>(r.msgs);
        r.msgs.clear();
        return out;
    }

    /** Persists the node's unstable entries as a caller would, so later reads see them in storage. */
    static void persist(Raft r, MemoryRaftStorage s) {
        List<Entry> ents = r.raftLog.unstableEntries();
        s.append(ents);
        if (!ents.isEmpty()) {
            Entry last = ents.get(ents.size() - 1);
            r.raftLog.stableTo(last.index(), last.term());
        }
    }

    static Message.Builder msg(MessageType type, long from, long to, long term) {
        return Message.builder(type).from(from).to(to).term(term);
    }

    static Message propose(long to, String data) {
        return Message.builder(MessageType.PROP).from(to).to(to)
                .entries(List.of(Entry.normal(0, 0, data.getBytes(StandardCharsets.UTF_8)))).build();
    }

    static Message hup(long id) {
        return Message.builder(MessageType.HUP).from(id).to(id).build();
    }

    static Message beat(long id) {
        return Message.builder(MessageType.BEAT).from(id).to(id).build();
    }

    /** Makes {@code r} leader of its configuration in the next term by granting it every vote. */
    static void electLeader(Raft r) {
        r.becomeCandidate();
        for (long id : r.trk.voterNodes()) {
            if (id != r.id) {
                r.step(msg(MessageType.VOTE_RESP, id, r.id, r.term).build());
            }
        }
        if (r.state != StateRole.LEADER) {
            throw new AssertionError("node " + r.id + " did not become leader: " + r.state);
        }
    }

    static List<Entry> entries(long term, long fromIndex, String... datas) {
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < datas.length; i++) {
            es.add(Entry.normal(term, fromIndex + i, datas[i].getBytes(StandardCharsets.UTF_8)));
        }
        return es;
    }
}
