package dev.vmclock.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The spec-map.md clause(s) a conformance test checks. The clause's strength, source and rule come
 * from spec-map.md, so they are written down once; the build fails on an id spec-map.md lacks.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Clause {
    String[] value();
}
