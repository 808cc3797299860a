package dev.vmclock.conformance;

import dev.vmclock.conformance.junit.VirtioRtcExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** Marks a class of device-level virtio-rtc checks: they get the shared {@code VirtioRtcView}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(VirtioRtcExtension.class)
@Tag("conformance")
public @interface VirtioRtcConformance {
}
