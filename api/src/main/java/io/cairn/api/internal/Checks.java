package io.cairn.api.internal;

import io.cairn.api.Experimental;

import java.util.List;
import java.util.Objects;

/**
 * Argument checks shared by the records of every API package, so their messages read alike.
 * In a package the module does not export: reachable from every package of this module, from no other.
 */
@Experimental("internal helper; may move or change at any time")
public final class Checks {

    private Checks() {}

    /**
     * Returns {@code value}.
     *
     * @throws IllegalArgumentException naming {@code name} if {@code value < 0}
     */
    public static long notNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /**
     * An unmodifiable copy of {@code list}.
     *
     * @throws NullPointerException naming {@code name} if the list or an element is null
     */
    public static <T> List<T> copyOf(List<? extends T> list, String name) {
        Objects.requireNonNull(list, name);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
        }
        return List.copyOf(list);
    }
}
