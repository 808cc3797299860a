package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.target.Target;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** time_type (0x0b): UTC, TAI or MONOTONIC; never smeared; TAI recommended (UAPI.13 field table). */
@VmclockConformance
class TimeTypeTest {

    @Test
    @Clause("VMC-TIME-01")
    void timeTypeIsDefinedValue(Target target) {
        int v = target.bootPage().timeType().value();
        assertThat(v).as("time_type %s is UTC, TAI or MONOTONIC", target.bootPage().timeType()).isBetween(0, 2);
    }

    @Test
    @Clause("VMC-TIME-02")
    void smearedTimeTypesNeverAdvertised(Target target) {
        assertThat(target.bootPage().timeType().isSmeared()).as("time_type %s is a smeared type",
                target.bootPage().timeType()).isFalse();
    }

    @Test
    @Clause("VMC-TIME-03")
    void utcNotAdvertisedWithValidCounter(Target target) {
        NotApplicable.unlessClock(target.bootPage());
        assertThat(target.bootPage().timeType()).as("time_type of an advertised clock").isNotEqualTo(TimeType.UTC);
    }

    @Test
    @Clause("VMC-TIME-04")
    void advertisesTaiWithValidCounter(Target target) {
        NotApplicable.unlessClock(target.bootPage());
        assertThat(target.bootPage().timeType()).as("time_type of an advertised clock").isEqualTo(TimeType.TAI);
    }

    @Test
    @Clause("VMC-TIME-05")
    void utcAndTaiCountFromUnixEpoch(Target target) {
        NotApplicable.unlessClock(target.bootPage());
        VmclockPage p = target.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type is " + p.timeType() + ", which has no epoch");
        NotApplicable.unless(p.clockStatus().parametersReliable(), "clock_status is " + p.clockStatus()
                + ": the parameters are not to be relied upon");
        long tsc = target.guest().clocks().tsc().get(0).tsc();
        BigDecimal hostUtc = BigDecimal.valueOf(System.currentTimeMillis()).movePointLeft(3);
        BigDecimal pageUtc = ClockMath.utcAt(p, tsc);
        target.evidence().note("page time (UTC scale) " + pageUtc + " s, host UTC " + hostUtc + " s");
        assertThat(pageUtc.subtract(hostUtc).abs()).as("page time vs host UTC since 1970-01-01 (s)")
                .isLessThan(BigDecimal.valueOf(60));
    }
}
