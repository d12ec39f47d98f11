package io.cairn.distribution;

import io.cairn.client.CairnClient;
import io.cairn.recipes.LeaderLatch;
import io.cairn.recipes.Mutex;
import io.cairn.recipes.ServiceInstance;
import io.cairn.recipes.ServiceRegistry;
import io.cairn.recipes.Session;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A separate JVM that takes a recipe's hold through Cairn's own client and keeps it until it is killed,
 * so {@link RecipesClusterIT} can SIGKILL a lock holder, an election leader or a registered instance as
 * a crash: nothing is released, the lease runs out on its own. It connects first and prints {@code ready},
 * then waits for a line on stdin before it takes the hold (so the test can start it early: a JVM's start
 * is slow on a busy machine). It prints one line per step on stdout:
 * <ul>
 *   <li>{@code mutex NAME TTL ENDPOINT...}: takes the {@link Mutex}, prints {@code held TOKEN};
 *   <li>{@code latch NAME VALUE TTL ENDPOINT...}: runs a {@link LeaderLatch}, prints {@code leader REV}
 *       and {@code follower};
 *   <li>{@code register ROOT SERVICE ID PORT TTL ENDPOINT...}: registers, prints {@code registered}.
 * </ul>
 */
final class RecipeHolder {

    private RecipeHolder() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        switch (mode) {
            case "mutex" -> {
                CairnClient client = client(args, 3);
                Session session = Session.create(client, Duration.ofSeconds(Long.parseLong(args[2])));
                Mutex mutex = new Mutex(session, args[1]);
                mutex.lock();
                say("held " + mutex.fencingToken());
            }
            case "latch" -> {
                CairnClient client = client(args, 4);
                LeaderLatch[] latch = new LeaderLatch[1];
                Object started = new Object();
                synchronized (started) {
                    latch[0] = LeaderLatch.start(client, args[1], args[2], Duration.ofSeconds(Long.parseLong(args[3])),
                            new LeaderLatch.Listener() {
                                @Override
                                public void isLeader() {
                                    synchronized (started) {
                                        say("leader " + latch[0].leaderKey().rev());
                                    }
                                }

                                @Override
                                public void notLeader() {
                                    say("follower");
                                }
                            });
                }
            }
            case "register" -> {
                CairnClient client = client(args, 6);
                new ServiceRegistry(client, args[1]).register(
                        new ServiceInstance(args[2], args[3], "127.0.0.1", Integer.parseInt(args[4]), Map.of("pid",
                                Long.toString(ProcessHandle.current().pid()))),
                        Duration.ofSeconds(Long.parseLong(args[5])));
                say("registered");
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        // hold until killed: the recipes' keep-alive threads are daemons
        Thread.sleep(Long.MAX_VALUE);
    }

    private static CairnClient client(String[] args, int firstEndpoint) throws Exception {
        CairnClient client = CairnClient.builder().endpoints(Arrays.copyOfRange(args, firstEndpoint, args.length)).build();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) { // the members may still be starting
            try {
                client.kv().get(io.cairn.api.Bytes.fromUtf8("holder/warm-up")).get(30, java.util.concurrent.TimeUnit.SECONDS);
                break;
            } catch (java.util.concurrent.ExecutionException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
        say("ready");
        if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                .readLine() == null) {
            System.exit(0); // the test went away
        }
        return client;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * The command that runs this class in a new JVM: the test JVM's java, with everything the test JVM
     * sees (module path, class path, the test classes) on a plain class path.
     */
    static List<String> command(List<String> args) {
        List<String> path = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            if (!value.isEmpty()) {
                path.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        try {
            path.add(0, Path.of(RecipeHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, path), RecipeHolder.class.getName()));
        command.addAll(args);
        return command;
    }
}
