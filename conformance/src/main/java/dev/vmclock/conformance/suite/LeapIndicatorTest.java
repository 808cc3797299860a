package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.target.Target;
import dev.vmclock.harness.page.LeapIndicator;
import dev.vmclock.harness.page.VmclockPage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** leap_indicator (0x26), valid for the reference time (UAPI.13 §Leap Indicator). */
@VmclockConformance
class LeapIndicatorTest {

    @Test
    @Clause("VMC-LEAP-01")
    void leapIndicatorIsDefinedValue(Target target) {
        assertThat(target.bootPage().leapIndicator().isDefined()).as("leap_indicator %s", target.bootPage().leapIndicator())
                .isTrue();
    }

    @Test
    @Clause("VMC-LEAP-02")
    void indicatorIsValidAtReferenceTime(Target target) {
        NotApplicable.unlessClock(target.bootPage());
        VmclockPage p = target.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " has no calendar");
        LeapIndicator li = p.leapIndicator();
        NotApplicable.unless(!li.equals(LeapIndicator.NONE), "leap_indicator is NONE, valid at any time");
        long utcSec = p.timeType().value() == 1 ? p.timeSec() - p.taiOffsetSec() : p.timeSec();
        ZonedDateTime ref = Instant.ofEpochSecond(utcSec).atZone(ZoneOffset.UTC);
        boolean lastSecondOfMonth = ref.plusSeconds(1).getMonth() != ref.getMonth();
        switch (li.value()) {
            // POS is set during 23:59:60, which POSIX seconds show as the last second of the month.
            case 3 -> assertThat(lastSecondOfMonth).as("POS at reference time %s", ref).isTrue();
            // POST_* describe the end of the previous month: not in the month's last second.
            case 4, 5 -> assertThat(lastSecondOfMonth).as("%s at reference time %s", li, ref).isFalse();
            default -> assertThat(li.isDefined()).isTrue();
        }
    }
}
