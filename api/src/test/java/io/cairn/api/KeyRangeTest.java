package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyRangeTest {

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    @Test
    void singleKeyContainsOnlyThatKey() {
        KeyRange range = KeyRange.single(b("a"));
        assertTrue(range.isSingleKey());
        assertTrue(range.contains(b("a")));
        assertFalse(range.contains(b("a\0")));
        assertFalse(range.contains(b("")));
    }

    @Test
    void prefixContainsKeysWithThePrefix() {
        KeyRange range = KeyRange.prefix(b("a"));
        assertEquals(new KeyRange(b("a"), b("b")), range);
        assertTrue(range.contains(b("a")));
        assertTrue(range.contains(b("azzz")));
        assertFalse(range.contains(b("b")));
        assertFalse(range.contains(b("0")));
    }

    @Test
    void prefixOfAllFfBytesIsUnbounded() {
        Bytes prefix = Bytes.of((byte) 0xFF);
        KeyRange range = KeyRange.prefix(prefix);
        assertEquals(Bytes.NUL, range.rangeEnd());
        assertTrue(range.contains(Bytes.of((byte) 0xFF, (byte) 0xFF, (byte) 0)));
        assertFalse(range.contains(Bytes.of((byte) 0xFE)));
    }

    @Test
    void emptyPrefixIsEveryKeyWrittenAsEtcdClientsDo() {
        assertEquals(new KeyRange(Bytes.NUL, Bytes.NUL), KeyRange.prefix(Bytes.EMPTY));
        assertEquals(KeyRange.all(), KeyRange.prefix(Bytes.EMPTY));
        assertTrue(KeyRange.all().contains(b("anything")));
    }

    @Test
    void fromKeyIsUnboundedAbove() {
        KeyRange range = KeyRange.fromKey(b("m"));
        assertTrue(range.contains(b("m")));
        assertTrue(range.contains(Bytes.of((byte) 0xFF)));
        assertFalse(range.contains(b("l")));
    }

    @Test
    void intervalIsHalfOpenAndEmptyWhenReversed() {
        KeyRange range = new KeyRange(b("b"), b("d"));
        assertTrue(range.contains(b("b")));
        assertTrue(range.contains(b("c\u00ff")));
        assertFalse(range.contains(b("d")));
        assertFalse(new KeyRange(b("d"), b("b")).contains(b("c")));
    }
}
