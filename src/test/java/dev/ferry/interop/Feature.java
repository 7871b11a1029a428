package dev.ferry.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The row of docs/INTEROP.md a test fills: its title and its place in the table. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Feature {
    String value();

    int order();
}
