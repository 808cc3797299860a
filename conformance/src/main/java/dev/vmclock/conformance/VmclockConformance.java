package dev.vmclock.conformance;

import dev.vmclock.conformance.junit.TargetExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** Marks a class of conformance tests: they get the shared target and their evidence directories. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(TargetExtension.class)
@Tag("conformance")
public @interface VmclockConformance {
}
