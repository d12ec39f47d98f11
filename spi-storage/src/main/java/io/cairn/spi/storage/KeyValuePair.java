package io.cairn.spi.storage;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A stored entry. Equality is by content. The arrays are not copied: whoever creates the pair
 * hands them over and must not modify them afterwards.
 */
public record KeyValuePair(byte[] key, byte[] value) {

    public KeyValuePair {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(value, "value is null");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyValuePair that && Arrays.equals(key, that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
    }
}
