package io.cairn.conformance.linearizability;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a history is linearizable with respect to a {@link SequentialModel}: that every
 * operation can be given one point between its invocation and its response such that, in the order of
 * these points, each operation's result is the one the model gives. Operations with an
 * {@link Outcome.Unknown} outcome may take effect at any point after their invocation, or never;
 * {@link Outcome.Applied} ones took effect before their response, with any result; {@link Outcome.Failed}
 * ones are ignored.
 *
 * <p>The search is Wing and Gong's, with Lowe's memoization (as in Porcupine and Knossos): walk the
 * history's invocations and responses in time order, try to linearize each pending operation whose
 * invocation has been seen, backtrack when a response is reached for an operation not yet linearized,
 * and never revisit a (set of linearized operations, model state) pair. Each of the model's partitions is
 * searched separately. Nondeterministic model steps are followed as a set of states.
 *
 * <p>The check is bounded by a time and a step budget shared by all partitions; when either runs out
 * the verdict is {@link CheckResult.Verdict#TIMED_OUT}, never a guess. Instances are immutable and
 * thread-safe.
 */
public final class LinearizabilityChecker {

    /** How many operations of the linearized prefix an explanation shows. */
    public static final int EXPLANATION_OPERATIONS = 10;

    private static final int CLOCK_CHECK_INTERVAL = 4096;

    private final Duration timeout;
    private final long maxSteps;

    /** A checker that gives up after {@code timeout} or {@code maxSteps} search steps, whichever comes first. */
    public LinearizabilityChecker(Duration timeout, long maxSteps) {
        if (timeout.isNegative() || maxSteps <= 0) {
            throw new IllegalArgumentException("the budget must be positive: " + timeout + ", " + maxSteps + " steps");
        }
        this.timeout = timeout;
        this.maxSteps = maxSteps;
    }

    /** A checker with a budget of {@code timeout} and no step limit. */
    public LinearizabilityChecker(Duration timeout) {
        this(timeout, Long.MAX_VALUE);
    }

    /** Checks a key-value history against {@link KvModel} (partitioned by key), within one minute. */
    public static CheckResult checkKv(List<HistoryEntry> history) {
        return new LinearizabilityChecker(Duration.ofMinutes(1)).check(new KvModel(), history);
    }

    /** Checks {@code history} against {@code model}. */
    public <S> CheckResult check(SequentialModel<S> model, List<HistoryEntry> history) {
        long started = System.nanoTime();
        long deadline = started + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        List<HistoryEntry> effective = new ArrayList<>(history.size());
        Set<Long> ids = new HashSet<>();
        for (HistoryEntry entry : history) {
            if (!ids.add(entry.id())) {
                throw new IllegalArgumentException("two operations with id " + entry.id());
            }
            if (!(entry.outcome() instanceof Outcome.Failed)) {
                effective.add(entry);
            }
        }
        List<SequentialModel.Partition> partitions = model.partition(effective);
        int operations = partitions.stream().mapToInt(p -> p.entries().size()).sum();
        long steps = 0;
        for (SequentialModel.Partition partition : partitions) {
            Search<S> search = new Search<>(model, partition.entries(), deadline, maxSteps - steps);
            Search.End outcome = search.run();
            steps += search.steps;
            if (outcome != Search.End.LINEARIZABLE) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                if (outcome == Search.End.OUT_OF_BUDGET) {
                    String explanation = "Timed out (budget " + timeout + ", " + (maxSteps == Long.MAX_VALUE ? "no step limit" : maxSteps + " steps")
                            + ", " + steps + " steps taken) while checking partition " + partition.name()
                            + " of " + partition.entries().size() + " operations (the deepest linearization placed " + search.bestDepth
                            + (search.allowance == Integer.MAX_VALUE ? "" : ", placing at most " + search.allowance + " operations of unknown outcome in a row")
                            + "); nothing is known about it and the partitions after it.";
                    return new CheckResult(CheckResult.Verdict.TIMED_OUT, partition.name(), List.of(), List.of(), explanation,
                            partitions.size(), operations, steps, elapsed);
                }
                return new CheckResult(CheckResult.Verdict.NOT_LINEARIZABLE, partition.name(), search.bestPrefix, search.stuck,
                        search.explain(partition), partitions.size(), operations, steps, elapsed);
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        return new CheckResult(CheckResult.Verdict.LINEARIZABLE, null, List.of(), List.of(),
                "Linearizable: " + operations + " operations in " + partitions.size() + " partitions, " + steps + " steps, " + elapsed.toMillis() + " ms.",
                partitions.size(), operations, steps, elapsed);
    }

    /** An invocation or a response in the doubly linked event list. */
    private static final class Event {
        final HistoryEntry entry;
        final int index;
        final boolean call;
        final boolean unknown;
        Event match;
        Event prev;
        Event next;

        Event(HistoryEntry entry, int index, boolean call) {
            this.entry = entry;
            this.index = index;
            this.call = call;
            this.unknown = entry != null && entry.outcome() instanceof Outcome.Unknown;
        }
    }

    /** (linearized operations, possible states) already explored. */
    private record Explored(long[] linearized, Set<?> states) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Explored that && Arrays.equals(linearized, that.linearized) && states.equals(that.states);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(linearized) + states.hashCode();
        }
    }

    private record Frame<S>(Event call, Set<S> statesBefore, int unknownRunBefore) {
    }

    private static final class Search<S> {
        enum End { LINEARIZABLE, NOT_LINEARIZABLE, OUT_OF_BUDGET }

        private final SequentialModel<S> model;
        private final List<HistoryEntry> entries;
        private final long deadline;
        private final long stepBudget;
        private final Event head = new Event(null, -1, false);
        long steps;

        // The explanation: the deepest point the search reached, and what blocked it there.
        int bestDepth = 0;
        List<HistoryEntry> bestPrefix = List.of();
        private Set<S> bestStates;
        List<HistoryEntry> stuck = List.of();

        Search(SequentialModel<S> model, List<HistoryEntry> entries, long deadline, long stepBudget) {
            this.model = model;
            this.entries = entries;
            this.deadline = deadline;
            this.stepBudget = stepBudget;
        }

        End run() {
            int size = entries.size();
            List<Event> events = new ArrayList<>(2 * size);
            int definitePending = 0;
            for (int i = 0; i < size; i++) {
                HistoryEntry entry = entries.get(i);
                Event call = new Event(entry, i, true);
                Event response = new Event(entry, i, false);
                call.match = response;
                response.match = call;
                events.add(call);
                events.add(response);
                if (!call.unknown) {
                    definitePending++;
                }
            }
            // Time order; at equal times invocations first, so that touching operations count as
            // concurrent (the lenient reading: a clock tick is not an order). Unknown outcomes respond "never".
            events.sort(Comparator.<Event>comparingLong(Search::time).thenComparing(event -> !event.call).thenComparingInt(event -> event.index));
            Event last = head;
            for (Event event : events) {
                last.next = event;
                event.prev = last;
                last = event;
            }

            // Iterative deepening on how many operations with unknown outcome may be placed in a row, between
            // two definite ones: a history rarely needs more than one or two there, while an unbounded search
            // tries every subset of the pending unknown operations (most never applied) at each dead end before
            // it undoes a wrong order of definite ones. Each round is a complete search within its bound, and
            // the last one is unbounded, so the verdict stays exact.
            int unknowns = size - definitePending;
            int allowance = 0;
            while (true) {
                allowanceReached = false;
                this.allowance = allowance >= unknowns ? Integer.MAX_VALUE : allowance;
                End end = search(size, definitePending, this.allowance);
                if (end != End.NOT_LINEARIZABLE || allowance >= unknowns || !allowanceReached) {
                    return end;
                }
                allowance = Math.max(1, allowance * 4);
            }
        }

        private boolean allowanceReached;
        int allowance;

        private End search(int size, int definitePending, int allowance) {
            long[] linearized = new long[(size + 63) / 64];
            Set<Explored> explored = new HashSet<>();
            Deque<Frame<S>> stack = new ArrayDeque<>();
            Set<S> states = Set.of(model.initialState());
            bestStates = states;
            bestDepth = 0;
            bestPrefix = List.of();
            stuck = List.of();
            int unknownRun = 0; // operations of unknown outcome placed since the last definite one
            // The candidates at each point are the invocations before the first response in the list. They
            // are tried definite ones first, then those with unknown outcome: placing an operation that need
            // not have happened is rarely what lets the search go on, and trying it first multiplies the work.
            boolean unknownPass = false;
            Event event = head.next;
            while (definitePending > 0) {
                if (++steps > stepBudget || (steps % CLOCK_CHECK_INTERVAL == 0 && System.nanoTime() - deadline > 0)) {
                    return End.OUT_OF_BUDGET;
                }
                if (event.call) {
                    if (event.unknown != unknownPass) {
                        event = event.next;
                        continue;
                    }
                    if (event.unknown && unknownRun >= allowance) {
                        allowanceReached = true;
                        event = event.next;
                        continue;
                    }
                    Set<S> next = step(states, event.entry);
                    // An operation with unknown outcome that changes nothing here is better left unplaced:
                    // every way on after placing it is also a way on without it, which keeps its later chances.
                    if (!next.isEmpty() && !(event.unknown && states.containsAll(next))) {
                        linearized[event.index >> 6] |= 1L << event.index;
                        if (explored.add(new Explored(linearized.clone(), next))) {
                            stack.push(new Frame<>(event, states, unknownRun));
                            states = next;
                            lift(event);
                            if (event.unknown) {
                                unknownRun++;
                            } else {
                                unknownRun = 0;
                                definitePending--;
                            }
                            if (stack.size() > bestDepth) {
                                remember(stack, states);
                            }
                            event = head.next;
                            unknownPass = false;
                            continue;
                        }
                        linearized[event.index >> 6] &= ~(1L << event.index);
                    }
                    event = event.next;
                } else if (!unknownPass) {
                    unknownPass = true;
                    event = head.next;
                } else {
                    // A response for an operation not linearized yet: no candidate fits here.
                    if (stack.size() == bestDepth && stuck.isEmpty()) {
                        stuck = blockedAt(event);
                    }
                    if (stack.isEmpty()) {
                        return End.NOT_LINEARIZABLE;
                    }
                    Frame<S> frame = stack.pop();
                    states = frame.statesBefore();
                    Event call = frame.call();
                    linearized[call.index >> 6] &= ~(1L << call.index);
                    unlift(call);
                    unknownRun = frame.unknownRunBefore();
                    if (!call.unknown) {
                        definitePending++;
                    }
                    unknownPass = call.unknown;
                    event = call.next;
                }
            }
            // Every definite operation is placed; the operations with unknown outcome left over never took effect.
            return End.LINEARIZABLE;
        }

        private static long time(Event event) {
            if (event.call) {
                return event.entry.invokeNanos();
            }
            return event.unknown ? Long.MAX_VALUE : event.entry.responseNanos();
        }

        private Set<S> step(Set<S> states, HistoryEntry entry) {
            if (states.size() == 1) {
                List<S> next = model.step(states.iterator().next(), entry.operation(), entry.outcome());
                return next.size() == 1 ? Set.of(next.get(0)) : Set.copyOf(next);
            }
            Set<S> next = new LinkedHashSet<>();
            for (S state : states) {
                next.addAll(model.step(state, entry.operation(), entry.outcome()));
            }
            return Set.copyOf(next);
        }

        private static void lift(Event call) {
            call.prev.next = call.next;
            call.next.prev = call.prev;
            Event response = call.match;
            response.prev.next = response.next;
            if (response.next != null) {
                response.next.prev = response.prev;
            }
        }

        private static void unlift(Event call) {
            Event response = call.match;
            response.prev.next = response;
            if (response.next != null) {
                response.next.prev = response;
            }
            call.prev.next = call;
            call.next.prev = call;
        }

        private void remember(Deque<Frame<S>> stack, Set<S> states) {
            bestDepth = stack.size();
            bestStates = states;
            stuck = List.of();
            List<HistoryEntry> tail = new ArrayList<>(EXPLANATION_OPERATIONS);
            Iterator<Frame<S>> newestFirst = stack.iterator();
            while (newestFirst.hasNext() && tail.size() < EXPLANATION_OPERATIONS) {
                tail.add(newestFirst.next().call().entry);
            }
            bestPrefix = tail.reversed();
        }

        /** The operation whose response was reached, then the other pending operations invoked before it. */
        private List<HistoryEntry> blockedAt(Event response) {
            List<HistoryEntry> blocked = new ArrayList<>();
            blocked.add(response.entry);
            for (Event event = head.next; event != response && blocked.size() <= EXPLANATION_OPERATIONS; event = event.next) {
                if (event.call && event.entry != response.entry) {
                    blocked.add(event.entry);
                }
            }
            return blocked;
        }

        String explain(SequentialModel.Partition partition) {
            StringBuilder text = new StringBuilder();
            text.append("Not linearizable: partition ").append(partition.name()).append(" (").append(entries.size()).append(" operations).\n");
            text.append("The longest linearization found places ").append(bestDepth).append(" of them");
            if (bestPrefix.isEmpty()) {
                text.append(".\n");
            } else {
                text.append("; it ends with:\n");
                for (HistoryEntry entry : bestPrefix) {
                    text.append("  ").append(entry).append('\n');
                }
            }
            text.append("leaving the model in ").append(describe(bestStates)).append(".\n");
            if (!stuck.isEmpty()) {
                text.append("Then ").append(stuck.get(0)).append(" returned, and none of these could be placed before it:\n");
                for (HistoryEntry entry : stuck) {
                    text.append("  ").append(entry).append('\n');
                }
            }
            return text.toString();
        }

        private String describe(Set<S> states) {
            List<String> described = new ArrayList<>();
            for (S state : states) {
                described.add(model.describe(state));
            }
            return described.size() == 1 ? described.get(0) : "one of " + described;
        }
    }

    @Override
    public String toString() {
        return "LinearizabilityChecker[timeout=" + timeout + ", maxSteps=" + maxSteps + "]";
    }
}
