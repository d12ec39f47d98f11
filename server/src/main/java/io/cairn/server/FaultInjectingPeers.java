package io.cairn.server;

import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerHandler;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Test-only fault injection around a member's peer traffic: frames to and from chosen peers are
 * dropped, or frames to them delayed, switchable at run time. For process-level fault tests,
 * {@code cairn --experimental-fault-injection-file <path>} makes the member poll that file (every
 * 100 ms, when its modification time changes) for the faults to apply; a missing or empty file
 * means none. One rule a line; {@code #} starts a comment:
 *
 * <pre>
 * drop 8e9e05c52164694d     # nothing to or from this member (hex id) gets through
 * drop *                    # this member is cut off from every peer
 * delay 8e9e05c52164694d 300  # frames to this member leave 300 ms late
 * </pre>
 *
 * <p>Threading: the rules are replaced whole (volatile); every method may be called from any thread.
 */
final class FaultInjectingPeers {

    private static final System.Logger LOG = System.getLogger(FaultInjectingPeers.class.getName());
    private static final long ALL = -1;

    /** The faults in force: peers cut off (or {@link #ALL}), and delays in ms by peer. */
    record Rules(Set<Long> dropped, Map<Long, Long> delayMillis) {
        static final Rules NONE = new Rules(Set.of(), Map.of());

        Rules {
            dropped = Set.copyOf(dropped);
            delayMillis = Map.copyOf(delayMillis);
        }

        boolean drops(long peer) {
            return dropped.contains(ALL) || dropped.contains(peer);
        }

        /**
         * Parses the file format above.
         *
         * @throws IllegalArgumentException naming the line that is not a rule
         */
        static Rules parse(List<String> lines) {
            Set<Long> dropped = new HashSet<>();
            Map<Long, Long> delays = new HashMap<>();
            for (String raw : lines) {
                int hash = raw.indexOf('#');
                String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim().toLowerCase(Locale.ROOT);
                if (line.isEmpty()) {
                    continue;
                }
                String[] words = line.split("\\s+");
                try {
                    if (words[0].equals("drop") && words.length == 2) {
                        dropped.add(words[1].equals("*") ? ALL : Long.parseUnsignedLong(words[1], 16));
                    } else if (words[0].equals("delay") && words.length == 3) {
                        long millis = Long.parseLong(words[2]);
                        if (millis < 0) {
                            throw new NumberFormatException("negative delay");
                        }
                        delays.put(Long.parseUnsignedLong(words[1], 16), millis);
                    } else {
                        throw new IllegalArgumentException("not a rule: '" + raw + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a rule: '" + raw + "': " + e.getMessage(), e);
                }
            }
            return new Rules(dropped, delays);
        }
    }

    private volatile Rules rules = Rules.NONE;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-fault-injection");
        t.setDaemon(true);
        return t;
    });

    void rules(Rules newRules) {
        this.rules = newRules;
    }

    Rules rules() {
        return rules;
    }

    /** Polls {@code file} for rules until {@link #close}. */
    void watch(Path file) {
        FileTime[] seen = {null};
        timer.scheduleWithFixedDelay(() -> {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(seen[0])) {
                    seen[0] = modified;
                    rules = Rules.parse(Files.readAllLines(file));
                    LOG.log(System.Logger.Level.INFO, "fault injection rules now " + rules);
                }
            } catch (NoSuchFileException e) {
                if (seen[0] != null) {
                    seen[0] = null;
                    rules = Rules.NONE;
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "fault injection file " + file + ": " + e.getMessage());
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    void close() {
        timer.shutdownNow();
    }

    /** The handler as the transport sees it: frames from dropped peers are lost. */
    PeerHandler wrap(PeerHandler handler) {
        return new PeerHandler() {
            @Override
            public void receive(long from, ByteBuffer frame) {
                if (!rules.drops(from)) {
                    handler.receive(from, frame);
                }
            }

            @Override
            public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
                if (rules.drops(from)) {
                    throw new IOException("fault injection: snapshot from " + Long.toHexString(from) + " dropped");
                }
                handler.receiveSnapshot(from, message, data);
            }

            @Override
            public void unreachable(long peer) {
                handler.unreachable(peer);
            }
        };
    }

    /** The endpoint as the member sees it: frames to dropped peers are lost, to delayed ones late. */
    PeerEndpoint wrap(PeerEndpoint endpoint, PeerHandler handler) {
        return new PeerEndpoint() {
            @Override
            public String transportId() {
                return endpoint.transportId();
            }

            @Override
            public List<URI> boundUrls() {
                return endpoint.boundUrls();
            }

            @Override
            public void updatePeers(Map<Long, List<URI>> peers) {
                endpoint.updatePeers(peers);
            }

            @Override
            public boolean send(long to, ByteBuffer frame) {
                Rules now = rules;
                if (now.drops(to)) {
                    handler.unreachable(to);
                    return false;
                }
                Long delay = now.delayMillis().get(to);
                if (delay == null || delay == 0) {
                    return endpoint.send(to, frame);
                }
                timer.schedule(() -> endpoint.send(to, frame), delay, TimeUnit.MILLISECONDS);
                return true;
            }

            @Override
            public CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data) {
                if (rules.drops(to)) {
                    try {
                        data.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                    return CompletableFuture.failedFuture(
                            new IOException("fault injection: snapshot to " + Long.toHexString(to) + " dropped"));
                }
                return endpoint.sendSnapshot(to, message, data);
            }

            @Override
            public void close() {
                FaultInjectingPeers.this.close();
                endpoint.close();
            }
        };
    }
}
