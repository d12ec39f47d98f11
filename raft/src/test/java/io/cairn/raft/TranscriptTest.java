package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data-driven transcripts of the engine, in {@code src/test/resources/testdata/*.txt}: each block
 * is a command, a {@code ----} line and the expected trace, ended by a blank line. Messages are
 * held by {@link InteractionEnv} until a command delivers or drops them.
 *
 * <p>Run with {@code -Drewrite=true} to rewrite the expected traces with the actual ones (review
 * the diff before committing). The {@code _breakpoint} command does nothing: put a debugger
 * breakpoint on it to stop at a point of a transcript.
 */
class TranscriptTest {

    /** The source folder (not target/), so that {@code -Drewrite=true} edits the files under version control. */
    static final Path DIR = Files.isDirectory(Path.of("src/test/resources/testdata"))
            ? Path.of("src/test/resources/testdata")
            : Path.of("raft/src/test/resources/testdata"); // run from the repository root (IDE)

    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no transcripts found in " + DIR.toAbsolutePath());
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    /** One command with its expected output and the comment lines before it. */
    record Block(List<String> preamble, String command, int line, String expected) {}

    static List<Block> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        List<String> preamble = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String l = lines.get(i);
            if (l.isBlank() || l.startsWith("#")) {
                preamble.add(l);
                i++;
                continue;
            }
            int cmdLine = i + 1;
            String command = l.trim();
            i++;
            if (i >= lines.size() || !lines.get(i).equals("----")) {
                throw new IllegalArgumentException(file + ":" + cmdLine + ": expected '----' after command '" + command + "'");
            }
            i++;
            StringBuilder expected = new StringBuilder();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                expected.append(lines.get(i)).append('\n');
                i++;
            }
            blocks.add(new Block(List.copyOf(preamble), command, cmdLine, expected.toString()));
            preamble.clear();
        }
        if (!preamble.isEmpty()) {
            blocks.add(new Block(List.copyOf(preamble), null, lines.size(), ""));
        }
        return blocks;
    }

    static void run(Path file) {
        boolean rewrite = Boolean.getBoolean("rewrite");
        List<Block> blocks = parse(file);
        InteractionEnv env = new InteractionEnv();
        StringBuilder rewritten = new StringBuilder();
        for (Block b : blocks) {
            b.preamble().forEach(p -> rewritten.append(p).append('\n'));
            if (b.command() == null) {
                continue;
            }
            String actual;
            try {
                execute(env, b.command());
                actual = env.takeOutput();
            } catch (RuntimeException e) {
                throw new AssertionError(file + ":" + b.line() + ": command '" + b.command() + "' failed", e);
            }
            if (actual.isEmpty()) {
                actual = "ok\n";
            }
            rewritten.append(b.command()).append('\n').append("----\n").append(actual);
            if (!rewrite) {
                assertEquals(b.expected(), actual, file + ":" + b.line() + ": output of '" + b.command() + "'");
            }
        }
        if (rewrite) {
            String text = rewritten.toString();
            // Keep exactly one newline at the end.
            text = text.stripTrailing() + "\n";
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---------------------------------------------------------------- commands

    /** Parsed command: name, positional arguments, key=value arguments (lists in parentheses). */
    record Command(String name, List<String> args, Map<String, String> kv) {
        long id(int i) {
            if (args.size() <= i) {
                throw new IllegalArgumentException(name + ": missing argument " + (i + 1));
            }
            return Long.parseLong(args.get(i));
        }

        TreeSet<Long> ids() {
            TreeSet<Long> ids = new TreeSet<>();
            args.forEach(a -> ids.add(Long.parseLong(a)));
            return ids;
        }

        static TreeSet<Long> list(String v) {
            TreeSet<Long> ids = new TreeSet<>();
            if (v == null) {
                return ids;
            }
            String inner = v.startsWith("(") ? v.substring(1, v.length() - 1) : v;
            for (String p : inner.split(",")) {
                if (!p.isBlank()) {
                    ids.add(Long.parseLong(p.trim()));
                }
            }
            return ids;
        }

        boolean flag(String key) {
            return Boolean.parseBoolean(kv.getOrDefault(key, "false"));
        }
    }

    static Command parseCommand(String line) {
        String[] tokens = line.trim().split("\\s+");
        List<String> args = new ArrayList<>();
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq > 0) {
                kv.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
            } else {
                args.add(tokens[i]);
            }
        }
        return new Command(tokens[0], args, kv);
    }

    /**
     * The commands, each shown by an example:
     *
     * <pre>
     * add-nodes 3 voters=(1,2,3) learners=(4) prevote=true checkquorum=true election=10 heartbeat=1
     *           max-size=1000 max-inflight=2 max-inflight-bytes=0 max-uncommitted=0 read-only=lease
     *           forwarding=false seed=1 index=2   # index: start from a snapshot at 2 holding the config
     * add-nodes 3 bootstrap=(1,2,3)   # empty storage; the voters are bootstrapped into the log
     * campaign 1                      # node 1 starts an election now
     * propose 1 data                  # node 1 proposes "data"
     * propose-conf-change 1 v4 l5 r3 transition=implicit   # no changes: leave the joint config
     * tick 1 3 / tick-election 1 / tick-heartbeat 1
     * process-ready 1 2               # handle one Ready each: persist, hold messages, apply, advance
     * deliver-msgs 2 3 drop=(3)       # deliver held messages to 2, drop those to 3
     * drop-msgs from=1 to=2           # drop held messages (0 or absent = any)
     * stabilize 1 2                   # Ready/deliver among these nodes (default all) until quiet
     * raft-state / raft-log 1 / status 1 / applied 1 / read-states 1
     * transfer-leadership from=1 to=2 # ask node 1 (the leader) to hand over to 2
     * read-index 1 ctx                # node 1 requests a read index with context "ctx"
     * compact 1 5                     # node 1 snapshots at applied index 5 and compacts its log
     * report-unreachable 1 2          # node 1's transport could not reach 2
     * restart 1                       # node 1 crashes and restarts from what it persisted
     * _breakpoint                     # nothing; a place for a debugger breakpoint
     * </pre>
     */
    static void execute(InteractionEnv env, String line) {
        Command c = parseCommand(line);
        switch (c.name()) {
            case "add-nodes" -> addNodes(env, c);
            case "campaign" -> env.attempt(() -> env.node(c.id(0)).rawNode.campaign());
            case "propose" -> env.attempt(() -> env.node(c.id(0)).rawNode.propose(InteractionEnv.bytes(c.args().get(1))));
            case "propose-conf-change" -> proposeConfChange(env, c);
            case "tick" -> env.tick(c.id(0), c.args().size() > 1 ? Integer.parseInt(c.args().get(1)) : 1);
            case "tick-election" -> env.tickElection(c.id(0));
            case "tick-heartbeat" -> env.tickHeartbeat(c.id(0));
            case "process-ready" -> c.ids().forEach(env::processReady);
            case "deliver-msgs" -> {
                TreeSet<Long> targets = c.ids();
                TreeSet<Long> drop = Command.list(c.kv().get("drop"));
                targets.addAll(drop);
                if (env.deliver(targets, drop) == 0 && drop.isEmpty()) {
                    env.line("no messages");
                }
            }
            case "drop-msgs" -> env.dropMessages(Long.parseLong(c.kv().getOrDefault("from", "0")),
                    Long.parseLong(c.kv().getOrDefault("to", "0")));
            case "stabilize" -> env.stabilize(c.args().isEmpty() ? env.nodes.keySet() : c.ids());
            case "raft-state" -> env.printRaftState();
            case "raft-log" -> env.printLog(c.id(0));
            case "status" -> env.printStatus(c.id(0));
            case "applied" -> env.node(c.id(0)).applied.forEach(e -> env.line(e.toString()));
            case "read-states" -> {
                InteractionEnv.Node n = env.node(c.id(0));
                n.readStates.forEach(r -> env.line(r.toString()));
                n.readStates.clear();
            }
            case "transfer-leadership" -> env.attempt(() -> env.node(Long.parseLong(c.kv().get("from")))
                    .rawNode.transferLeader(Long.parseLong(c.kv().get("to"))));
            case "read-index" -> env.attempt(() -> env.node(c.id(0)).rawNode.readIndex(InteractionEnv.bytes(c.args().get(1))));
            case "compact" -> compact(env, c.id(0), c.id(1));
            case "restart" -> env.restart(c.id(0));
            case "report-unreachable" -> env.node(c.id(0)).rawNode.reportUnreachable(c.id(1));
            case "_breakpoint" -> {
                // Intentionally empty: set a debugger breakpoint here.
            }
            default -> throw new IllegalArgumentException("unknown command '" + c.name() + "'");
        }
    }

    private static void addNodes(InteractionEnv env, Command c) {
        InteractionEnv.NodeOptions o = new InteractionEnv.NodeOptions();
        TreeSet<Long> voters = Command.list(c.kv().get("voters"));
        TreeSet<Long> learners = Command.list(c.kv().get("learners"));
        if (!voters.isEmpty() || !learners.isEmpty()) {
            o.confState = ConfState.of(voters, learners);
        }
        o.preVote = c.flag("prevote");
        o.checkQuorum = c.flag("checkquorum");
        o.electionTick = Integer.parseInt(c.kv().getOrDefault("election", "10"));
        o.heartbeatTick = Integer.parseInt(c.kv().getOrDefault("heartbeat", "1"));
        o.maxSizePerMsg = Long.parseLong(c.kv().getOrDefault("max-size", String.valueOf(1 << 20)));
        o.maxInflightMsgs = Integer.parseInt(c.kv().getOrDefault("max-inflight", "256"));
        o.maxInflightBytes = Long.parseLong(c.kv().getOrDefault("max-inflight-bytes", "0"));
        o.maxUncommittedSize = Long.parseLong(c.kv().getOrDefault("max-uncommitted", "0"));
        o.readOnly = "lease".equals(c.kv().get("read-only")) ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE;
        o.disableForwarding = "false".equals(c.kv().get("forwarding"));
        o.seed = Long.parseLong(c.kv().getOrDefault("seed", "1"));
        o.snapshotIndex = Long.parseLong(c.kv().getOrDefault("index", "0"));
        o.bootstrap = Command.list(c.kv().get("bootstrap"));
        env.addNodes(Integer.parseInt(c.args().get(0)), o);
    }

    private static void proposeConfChange(InteractionEnv env, Command c) {
        List<ConfChangeSingle> changes = new ArrayList<>();
        for (String a : c.args().subList(1, c.args().size())) {
            long id = Long.parseLong(a.substring(1));
            ConfChangeType t = switch (a.charAt(0)) {
                case 'v' -> ConfChangeType.ADD_VOTER;
                case 'l' -> ConfChangeType.ADD_LEARNER;
                case 'r' -> ConfChangeType.REMOVE;
                default -> throw new IllegalArgumentException("conf change '" + a + "': use v<id>, l<id> or r<id>");
            };
            changes.add(new ConfChangeSingle(t, id));
        }
        ConfChangeTransition tr = switch (c.kv().getOrDefault("transition", "auto")) {
            case "auto" -> ConfChangeTransition.AUTO;
            case "implicit" -> ConfChangeTransition.JOINT_IMPLICIT;
            case "explicit" -> ConfChangeTransition.JOINT_EXPLICIT;
            default -> throw new IllegalArgumentException("transition must be auto, implicit or explicit");
        };
        ConfChange cc = new ConfChange(tr, changes, new byte[0]);
        env.attempt(() -> env.node(c.id(0)).rawNode.proposeConfChange(cc));
    }

    private static void compact(InteractionEnv env, long id, long index) {
        InteractionEnv.Node n = env.node(id);
        long applied = n.rawNode.status().applied();
        if (index > applied) {
            throw new IllegalArgumentException("cannot compact node " + id + " to " + index + ": applied is only " + applied);
        }
        n.storage.createSnapshot(index, n.confState, InteractionEnv.bytes("snap@" + index));
        n.storage.compact(index);
        env.line("compacted node " + id + " to " + index);
        env.printLog(id);
    }
}
