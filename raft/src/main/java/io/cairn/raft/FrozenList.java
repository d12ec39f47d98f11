package io.cairn.raft;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list over an array that it owns. The engine builds each list it hands out (entries
 * to send, persist or apply; a Ready's messages) once, into an array nobody else holds, and the
 * public records ({@link Message}, {@link Ready}) keep such a list as it is, where
 * {@link List#copyOf} would copy it twice more (to an array, then into a new list). Every other
 * list given to those records is still copied.
 *
 * <p>Immutable: {@link AbstractList} refuses every change, and no reference to the array escapes.
 */
final class FrozenList<E> extends AbstractList<E> implements RandomAccess {

    private final Object[] elements;
    private final int size;

    private FrozenList(Object[] elements, int size) {
        this.elements = elements;
        this.size = size;
    }

    /**
     * The first {@code size} elements of {@code elements}, none null, as a list that takes the
     * array over: the caller must not keep or change it.
     */
    static <E> List<E> own(Object[] elements, int size) {
        Objects.checkFromIndexSize(0, size, elements.length);
        return size == 0 ? List.of() : new FrozenList<>(elements, size);
    }

    /** {@link List#copyOf}, except that a list built by {@link #own} is kept as it is. */
    @SuppressWarnings("unchecked")
    static <E> List<E> copyOf(List<? extends E> list) {
        return list instanceof FrozenList<?> ? (List<E>) list : List.copyOf(list);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        Objects.checkIndex(index, size);
        return (E) elements[index];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object[] toArray() {
        return Arrays.copyOf(elements, size);
    }
}
