package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BytesTest {

    private static Bytes hex(String hex) {
        return Bytes.of(HexFormat.of().parseHex(hex));
    }

    record PrefixEndCase(String prefixHex, String expectedEndHex) {}

    static Stream<PrefixEndCase> prefixEndCases() {
        return Stream.of(
                new PrefixEndCase("61", "62"),            // "a" -> "b"
                new PrefixEndCase("6162", "6163"),        // "ab" -> "ac"
                new PrefixEndCase("61ff", "62"),          // "a\xff" -> "b"
                new PrefixEndCase("61ffff", "62"),        // trailing 0xFF bytes are all dropped
                new PrefixEndCase("61fe", "61ff"),        // 0xFE is incremented, not dropped
                new PrefixEndCase("00", "01"),
                new PrefixEndCase("7f", "80"),            // carries over the sign bit
                new PrefixEndCase("ff", "00"),            // all 0xFF: no finite end, etcd's "\0"
                new PrefixEndCase("ffff", "00"),
                new PrefixEndCase("", "00"));             // empty prefix: every key
    }

    @ParameterizedTest
    @MethodSource("prefixEndCases")
    void prefixEndFollowsEtcd(PrefixEndCase c) {
        assertEquals(hex(c.expectedEndHex()), hex(c.prefixHex()).prefixEnd(), "prefixEnd of " + c.prefixHex());
    }

    @Test
    void prefixEndOfAllFfIsTheNulConstant() {
        assertSame(Bytes.NUL, hex("ffff").prefixEnd());
    }

    @Test
    void everyKeyWithThePrefixSortsBeforePrefixEndAndNoOtherKeyBetween() {
        Bytes prefix = hex("61ff");
        Bytes end = prefix.prefixEnd();
        for (Bytes key : List.of(hex("61ff"), hex("61ff00"), hex("61ffff"), hex("61ffffffff"))) {
            assertTrue(key.startsWith(prefix));
            assertTrue(key.compareTo(end) < 0, key + " < " + end);
        }
        assertFalse(end.startsWith(prefix));
        assertTrue(hex("6200").compareTo(end) > 0);
    }

    @Test
    void comparesUnsigned() {
        assertTrue(hex("01").compareTo(hex("ff")) < 0, "0x01 < 0xFF");
        assertTrue(hex("7f").compareTo(hex("80")) < 0, "0x7F < 0x80");
        assertTrue(hex("ff").compareTo(hex("00")) > 0);
        assertTrue(Bytes.EMPTY.compareTo(hex("00")) < 0, "empty sorts first");
        assertTrue(hex("61").compareTo(hex("6100")) < 0, "a proper prefix sorts first");
        assertTrue(hex("61ff").compareTo(hex("62")) < 0);
        assertEquals(0, hex("6162").compareTo(Bytes.fromUtf8("ab")));
    }

    @Test
    void mutatingTheInputArrayAfterConstructionChangesNothing() {
        byte[] input = {1, 2, 3};
        Bytes bytes = Bytes.of(input);
        input[0] = 9;
        assertEquals(hex("010203"), bytes);

        byte[] source = {0, 1, 2, 3, 4};
        Bytes slice = Bytes.copyOf(source, 1, 3);
        source[2] = 9;
        assertEquals(hex("010203"), slice);
    }

    @Test
    void mutatingAnArrayHandedOutChangesNothing() {
        Bytes bytes = hex("010203");
        byte[] out = bytes.toByteArray();
        out[0] = 9;
        assertEquals(hex("010203"), bytes);
        assertThrows(ReadOnlyBufferException.class, () -> bytes.asReadOnlyByteBuffer().put(0, (byte) 9));
    }

    @Test
    void copiesAByteBufferWithoutMovingIt() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0, 1, 2, 3});
        buffer.position(1);
        Bytes bytes = Bytes.of(buffer);
        assertEquals(1, buffer.position());
        buffer.put(1, (byte) 9);
        assertEquals(hex("010203"), bytes);
    }

    @Test
    void utf8RoundTrip() {
        String text = "clé/ключ/鍵";
        Bytes bytes = Bytes.fromUtf8(text);
        assertEquals(text, bytes.toUtf8());
        assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, bytes.size());
        assertSame(Bytes.EMPTY, Bytes.fromUtf8(""));
    }

    @Test
    void equalityIsByContent() {
        assertEquals(Bytes.of(new byte[] {1, 2}), Bytes.of(new byte[] {1, 2}));
        assertEquals(Bytes.of(new byte[] {1, 2}).hashCode(), Bytes.of(new byte[] {1, 2}).hashCode());
        assertNotEquals(Bytes.of(new byte[] {1, 2}), Bytes.of(new byte[] {1, 2, 0}));
        assertNotEquals(Bytes.EMPTY, Bytes.NUL);
    }

    @Test
    void startsWithConcatAndSlice() {
        Bytes key = Bytes.fromUtf8("/config/a");
        assertTrue(key.startsWith(Bytes.fromUtf8("/config/")));
        assertTrue(key.startsWith(Bytes.EMPTY));
        assertFalse(key.startsWith(Bytes.fromUtf8("/config/ab")));
        assertFalse(Bytes.fromUtf8("/c").startsWith(key));
        assertEquals(key, Bytes.fromUtf8("/config/").concat(Bytes.fromUtf8("a")));
        assertEquals(Bytes.fromUtf8("config"), key.slice(1, 7));
        assertEquals((byte) '/', key.byteAt(0));
        assertThrows(IndexOutOfBoundsException.class, () -> key.byteAt(9));
        assertThrows(IndexOutOfBoundsException.class, () -> key.slice(5, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.copyOf(new byte[2], 1, 2));
    }

    @Test
    void toStringQuotesAndEscapes() {
        assertEquals("\"a\\xff\\x00\\\"\\\\\"", Bytes.of(new byte[] {'a', (byte) 0xFF, 0, '"', '\\'}).toString());
        assertEquals("\"\"", Bytes.EMPTY.toString());
    }

    @Test
    void rejectsNull() {
        assertThrows(NullPointerException.class, () -> Bytes.of((byte[]) null));
        assertThrows(NullPointerException.class, () -> Bytes.fromUtf8(null));
        assertThrows(NullPointerException.class, () -> Bytes.EMPTY.startsWith(null));
    }

    @Test
    void handsOutIndependentArrays() {
        Bytes bytes = hex("0102");
        assertArrayEquals(new byte[] {1, 2}, bytes.toByteArray());
        assertNotSameArrays(bytes.toByteArray(), bytes.toByteArray());
    }

    private static void assertNotSameArrays(byte[] first, byte[] second) {
        first[0] = 42;
        assertEquals(1, second[0]);
    }
}
