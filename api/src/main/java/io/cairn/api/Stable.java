package io.cairn.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public type whose source and binary compatibility Cairn keeps across minor releases:
 * members may be added (methods with defaults, factory methods), nothing is removed or changed in
 * meaning before the next major release.
 *
 * <p>Retention is {@code CLASS}: the mark is in the bytecode for tools (ArchUnit checks that every
 * public type carries it or {@link Experimental}) but costs nothing at run time.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Stable(since = "0.1")
public @interface Stable {

    /** The Cairn version that made the type stable, such as {@code "0.1"}. */
    String since();
}
