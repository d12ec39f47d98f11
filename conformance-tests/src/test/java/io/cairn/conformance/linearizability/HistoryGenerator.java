package io.cairn.conformance.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Linearizable histories by construction: operations run one at a time on a {@link ReferenceKv} (their
 * linearization points), then each gets a random interval around its point, the intervals of one client
 * never overlapping, those of different clients overlapping freely. Some operations end unknown (applied
 * or not) or failed (not applied). Every value written is unique ("v" + operation number).
 */
final class HistoryGenerator {

    /**
     * @param leaseKeys the first {@code leaseKeys} keys are the only ones put with leases (0: no lease
     *                  operations), so that the others stay partitions of their own
     */
    record Config(int operations, int keys, int clients, int leaseKeys, double unknownRate, double failedRate) {
    }

    private static final long POINT_SPACING = 1_000;

    private HistoryGenerator() {
    }

    static List<HistoryEntry> generate(Config config, long seed) {
        Random random = new Random(seed);
        ReferenceKv kv = new ReferenceKv();
        int n = config.operations();
        Operation[] operations = new Operation[n];
        Outcome[] outcomes = new Outcome[n];
        int[] clients = new int[n];
        long nextLease = 1;
        for (int i = 0; i < n; i++) {
            Operation operation = choose(config, random, kv, i, nextLease);
            if (operation instanceof Operation.LeaseGrant) {
                nextLease++;
            }
            double roll = random.nextDouble();
            Outcome outcome;
            if (roll < config.unknownRate() / 2) {
                kv.apply(operation);
                outcome = new Outcome.Unknown("timeout after it applied");
            } else if (roll < config.unknownRate()) {
                outcome = new Outcome.Unknown("timeout, never applied");
            } else if (roll < config.unknownRate() + config.failedRate()) {
                outcome = new Outcome.Failed("refused");
            } else {
                outcome = new Outcome.Ok(kv.apply(operation));
            }
            operations[i] = operation;
            outcomes[i] = outcome;
            clients[i] = random.nextInt(config.clients());
        }
        // Intervals: for each client in point order, invocation after its previous response and not after
        // the point, response not before the point and before the client's next point.
        long[] invoke = new long[n];
        long[] response = new long[n];
        long[] lastResponse = new long[config.clients()];
        int[] nextOfSameClient = new int[n];
        int[] lastIndex = new int[config.clients()];
        java.util.Arrays.fill(lastIndex, -1);
        for (int i = n - 1; i >= 0; i--) {
            nextOfSameClient[i] = lastIndex[clients[i]];
            lastIndex[clients[i]] = i;
        }
        java.util.Arrays.fill(lastResponse, -1);
        for (int i = 0; i < n; i++) {
            long point = (i + 1) * POINT_SPACING;
            int client = clients[i];
            invoke[i] = lastResponse[client] + 1 + (long) (random.nextDouble() * (point - lastResponse[client] - 1));
            long limit = nextOfSameClient[i] < 0 ? point + 20 * POINT_SPACING : (nextOfSameClient[i] + 1) * POINT_SPACING;
            response[i] = point + (long) (random.nextDouble() * (limit - point - 1));
            lastResponse[client] = response[i];
        }
        List<HistoryEntry> history = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            history.add(new HistoryEntry(i, clients[i], invoke[i], response[i], operations[i], outcomes[i]));
        }
        history.sort(Comparator.comparingLong(HistoryEntry::invokeNanos));
        return List.copyOf(history);
    }

    private static Operation choose(Config config, Random random, ReferenceKv kv, int i, long nextLease) {
        String key = "k" + random.nextInt(config.keys());
        String value = "v" + i;
        int roll = random.nextInt(100);
        if (config.leaseKeys() > 0 && roll >= 85) {
            String leaseKey = "k" + random.nextInt(config.leaseKeys());
            long someLease = 1 + random.nextInt((int) Math.max(1, nextLease - 1));
            if (roll < 89 || nextLease == 1) {
                return new Operation.LeaseGrant(nextLease);
            }
            if (roll < 96) {
                return new Operation.Put(leaseKey, value, someLease, random.nextBoolean());
            }
            return new Operation.LeaseRevoke(someLease);
        }
        if (roll < 40) {
            return new Operation.Get(key);
        }
        if (roll < 65) {
            return new Operation.Put(key, value, 0, random.nextBoolean());
        }
        if (roll < 72) {
            return new Operation.Delete(key, random.nextBoolean());
        }
        if (roll < 80) {
            String current = kv.value(key);
            String expected = current != null && random.nextBoolean() ? current : "v" + random.nextInt(i + 1);
            return Operation.casValue(key, expected, value);
        }
        long expected = random.nextBoolean() ? kv.modRevision(key) : random.nextInt(i + 2);
        return Operation.casModRevision(key, expected, value);
    }
}
