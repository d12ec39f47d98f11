package io.cairn.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public type that may change or disappear in any release, without deprecation. Use it for
 * API whose shape is not settled yet; promote it to {@link Stable} once it is.
 *
 * <p>Retention is {@code CLASS}, like {@link Stable}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Stable(since = "0.1")
public @interface Experimental {

    /** Why the type is not stable yet, or what is expected to change. */
    String value() default "";
}
