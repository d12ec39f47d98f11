package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Inflights} against a plain deque of (index, size) pairs. */
class InflightsPropertyTest {

    @Test
    void matchesDequeModel() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int run = 0; run < 300; run++) {
            int capacity = 1 + rnd.nextInt(8);
            long maxBytes = rnd.nextBoolean() ? 0 : 10 + rnd.nextInt(100);
            Inflights in = new Inflights(capacity, maxBytes);
            ArrayDeque<long[]> model = new ArrayDeque<>();
            long nextIndex = 1;
            for (int op = 0; op < 200; op++) {
                long modelBytes = model.stream().mapToLong(p -> p[1]).sum();
                boolean modelFull = model.size() == capacity || (maxBytes != 0 && modelBytes >= maxBytes);
                assertEquals(modelFull, in.full(), "full() with " + model.size() + " msgs, " + modelBytes + " bytes");
                assertEquals(model.size(), in.count());
                assertEquals(modelBytes, in.bytes());
                switch (rnd.nextInt(4)) {
                    case 0, 1 -> {
                        long size = 1 + rnd.nextInt(30);
                        nextIndex += 1 + rnd.nextInt(3);
                        if (modelFull) {
                            final long idx = nextIndex;
                            assertThrows(IllegalStateException.class, () -> in.add(idx, size));
                        } else {
                            in.add(nextIndex, size);
                            model.addLast(new long[] {nextIndex, size});
                        }
                    }
                    case 2 -> {
                        long to = nextIndex - rnd.nextInt(10);
                        in.freeLE(to);
                        while (!model.isEmpty() && model.peekFirst()[0] <= to) {
                            model.removeFirst();
                        }
                    }
                    default -> {
                        in.freeFirstOne();
                        model.pollFirst();
                    }
                }
            }
        }
    }

    @Test
    void rejectsNonIncreasingIndex() {
        Inflights in = new Inflights(4, 0);
        in.add(5, 1);
        assertThrows(IllegalArgumentException.class, () -> in.add(5, 1));
    }
}
