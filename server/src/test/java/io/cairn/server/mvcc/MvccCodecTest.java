package io.cairn.server.mvcc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout's order properties, on random keys rich in 0x00 and 0xFF bytes. */
class MvccCodecTest {

    private static byte[] randomKey(Random random) {
        byte[] key = new byte[1 + random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            int dice = random.nextInt(4);
            key[i] = (byte) (dice == 0 ? 0 : dice == 1 ? 0xFF : dice == 2 ? 1 : random.nextInt(256));
        }
        return key;
    }

    @Test
    void versionKeysSortByKeyThenNewestFirst() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] k1 = randomKey(random);
            byte[] k2 = randomKey(random);
            long m1 = 1 + random.nextInt(5);
            long m2 = 1 + random.nextInt(5);
            long s1 = random.nextInt(3);
            long s2 = random.nextInt(3);
            int keyOrder = Integer.signum(Arrays.compareUnsigned(k1, k2));
            int expected = keyOrder != 0 ? keyOrder
                    : m1 != m2 ? -Long.compare(m1, m2) : -Long.compare(s1, s2);
            byte[] e1 = MvccCodec.versionKey(k1, m1, s1);
            byte[] e2 = MvccCodec.versionKey(k2, m2, s2);
            assertEquals(expected, Integer.signum(Arrays.compareUnsigned(e1, e2)),
                    () -> Arrays.toString(k1) + " vs " + Arrays.toString(k2));
            assertArrayEquals(k1, MvccCodec.decodeKey(e1));
            int prefix = MvccCodec.prefixLength(e1);
            assertEquals(m1, MvccCodec.mainOf(e1, prefix));
            assertEquals(s1, MvccCodec.subOf(e1, prefix));
            if (keyOrder < 0) {
                // the bound after k1's versions is not above any version of a greater key
                assertTrue(Arrays.compareUnsigned(MvccCodec.afterKey(MvccCodec.keyPrefix(k1)), e2) <= 0);
                // and a user range [k1, k2) covers exactly the encodings between the prefixes
                assertTrue(Arrays.compareUnsigned(e1, MvccCodec.keyPrefix(k2)) < 0);
            }
            assertTrue(Arrays.compareUnsigned(MvccCodec.afterKey(MvccCodec.keyPrefix(k1)), e1) > 0);
        }
    }

    @Test
    void leaseKeysGroupByLeaseInNumericOrder() {
        long[] leases = {Long.MIN_VALUE, -5, -1, 0, 1, 100, Long.MAX_VALUE};
        List<byte[]> encoded = new ArrayList<>();
        for (long lease : leases) {
            encoded.add(MvccCodec.leaseKey(lease, new byte[] {(byte) 0xFF, (byte) 0xFF}));
        }
        for (int i = 1; i < leases.length; i++) {
            assertTrue(Arrays.compareUnsigned(encoded.get(i - 1), encoded.get(i)) < 0);
            assertTrue(Arrays.compareUnsigned(encoded.get(i - 1), MvccCodec.leaseKeysEnd(leases[i - 1])) < 0);
            assertTrue(Arrays.compareUnsigned(MvccCodec.leaseKeysPrefix(leases[i]), encoded.get(i)) <= 0);
        }
    }
}
