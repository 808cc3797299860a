package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * time_type (0x0b): UTC, TAI or MONOTONIC ({@code VMCLOCK_TIME_MONOTONIC}); 3 and 4, the header's smeared types,
 * are reserved (UAPI.13 v1.1 §Structure Fields); TAI recommended.
 */
@VmclockConformance
class TimeTypeTest {

    @Test
    @Clause("VMC-TIME-01")
    void timeTypeIsDefinedValue(VmclockView vmclock) {
        int v = vmclock.bootPage().timeType().value();
        assertThat(v).as("time_type %s is UTC, TAI or MONOTONIC (3 and 4 reserved)", vmclock.bootPage().timeType()).isBetween(0, 2);
    }

    @Test
    @Clause("VMC-TIME-02")
    void smearedTimeTypesNeverAdvertised(VmclockView vmclock) {
        assertThat(vmclock.bootPage().timeType().isSmeared()).as("time_type %s is a smeared type",
                vmclock.bootPage().timeType()).isFalse();
    }

    @Test
    @Clause("VMC-TIME-03")
    void utcNotAdvertisedWithValidCounter(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        assertThat(vmclock.bootPage().timeType()).as("time_type of an advertised clock").isNotEqualTo(TimeType.UTC);
    }

    @Test
    @Clause("VMC-TIME-04")
    void advertisesTaiWithValidCounter(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        assertThat(vmclock.bootPage().timeType()).as("time_type of an advertised clock").isEqualTo(TimeType.TAI);
    }

    @Test
    @Clause("VMC-TIME-05")
    void utcAndTaiCountFromUnixEpoch(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type is " + p.timeType() + ", which has no epoch");
        NotApplicable.unless(p.clockStatus().parametersReliable(), "clock_status is " + p.clockStatus()
                + ": the parameters are not to be relied upon");
        long tsc = vmclock.guest().clocks().tsc().get(0).tsc();
        BigDecimal hostUtc = BigDecimal.valueOf(System.currentTimeMillis()).movePointLeft(3);
        BigDecimal pageUtc = ClockMath.utcAt(p, tsc);
        vmclock.evidence().note("page time (UTC scale) " + pageUtc + " s, host UTC " + hostUtc + " s");
        assertThat(pageUtc.subtract(hostUtc).abs()).as("page time vs host UTC since 1970-01-01 (s)")
                .isLessThan(BigDecimal.valueOf(60));
    }
}
