package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.conformance.clock.PtpTime;
import dev.vmclock.harness.Waits;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.LeapIndicator;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** leap_indicator (0x26), valid for the reference time (UAPI.13 §Leap Indicator). */
@VmclockConformance
class LeapIndicatorTest {

    @Test
    @Clause("VMC-LEAP-01")
    void leapIndicatorIsDefinedValue(VmclockView vmclock) {
        assertThat(vmclock.bootPage().leapIndicator().isDefined()).as("leap_indicator %s", vmclock.bootPage().leapIndicator())
                .isTrue();
    }

    @Test
    @Clause("VMC-LEAP-02")
    void indicatorIsValidAtReferenceTime(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " has no calendar");
        LeapIndicator li = p.leapIndicator();
        NotApplicable.unless(!li.equals(LeapIndicator.NONE), "leap_indicator is NONE, valid at any time");
        // UTC = TAI + tai_offset_sec (UAPI.13 v1.1); without a valid offset, today's TAI - UTC.
        long utcSec = !p.timeType().equals(TimeType.TAI) ? p.timeSec()
                : p.flags().has(Flag.TAI_OFFSET_VALID) ? p.timeSec() + p.taiOffsetSec() : p.timeSec() - ClockMath.TAI_MINUS_UTC;
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

    /** 2017-01-01T00:00:00Z: the end of the positive leap second 2016-12-31T23:59:60 (POSIX seconds). */
    static final long LEAP_END_2016 = 1483228800L;
    /** tai_offset_sec (UTC - TAI, UAPI.13 v1.1) during December 2016, before that leap second (IERS Bulletin C 52). */
    static final int TAI_OFFSET_2016 = -36;

    /**
     * A UTC page whose reference time is 1.5 s before the end of the leap second of 2016 (23:59:58.5,
     * PRE_POS, tai_offset_sec -36), left unchanged while the guest's clock passes the leap. The reference
     * guest's PTP clock reads TAI (VMC-DRIVER-12), on which the leap is no step: the reading after the leap
     * must be the reading before it plus the time elapsed on the page's counter, and it must be true TAI:
     * the page's UTC extrapolated past the leap plus 36 s, which is true UTC after the leap plus 37 s. A
     * consumer that applied the leap second to its TAI result, or lost track of it, is a second off.
     */
    @Test
    @Clause("VMC-LEAP-03")
    void consumerCopesWithLeapSecondSinceReferenceTime(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " has no calendar");
        NotApplicable.unless(!p.clockStatus().equals(ClockStatus.UNRELIABLE),
                "clock_status is UNRELIABLE, with which the driver serves no time (VMC-STATUS-04)");
        vmclock.ptpRead(); // NOT_APPLICABLE before any page change when the guest has no PTP clock
        long counter = vmclock.guest().clocks().tsc().get(0).tsc();
        long refSec = LEAP_END_2016 - 2;
        LeapReadings readings = vmclock.withTemporaryPage("UTC page, reference time 2016-12-31T23:59:58.5Z with "
                + "PRE_POS and TAI offset " + TAI_OFFSET_2016 + " at the guest's current counter", page -> {
                    PageField.TIME_TYPE.write(page, TimeType.UTC.value());
                    PageField.FLAGS.write(page, PageField.FLAGS.read(page) | Flag.TAI_OFFSET_VALID.mask());
                    PageField.TAI_OFFSET_SEC.write(page, TAI_OFFSET_2016);
                    PageField.LEAP_INDICATOR.write(page, LeapIndicator.PRE_POS.value());
                    PageField.COUNTER_VALUE.write(page, counter);
                    PageField.TIME_SEC.write(page, refSec);
                    PageField.TIME_FRAC_SEC.write(page, Long.MIN_VALUE); // 2^63 / 2^64 = 0.5 s
                }, () -> {
                    PtpReads.Observed before = PtpReads.against(vmclock);
                    VmclockPage leapPage = before.page();
                    BigDecimal t1 = ClockMath.timeAt(leapPage, before.reading().gettime().tscAfter());
                    if (t1.compareTo(BigDecimal.valueOf(LEAP_END_2016 - 1)) >= 0) {
                        throw new IllegalStateException("the first reading came after the leap second began (page time "
                                + t1 + "); the guest answered too slowly to observe the leap");
                    }
                    sleepUntil(vmclock, leapPage, BigDecimal.valueOf(LEAP_END_2016 + 1));
                    PtpReads.Observed after = PtpReads.against(vmclock);
                    assertThat(after.page().seqCount()).as("the page stayed unchanged across the leap")
                            .isEqualTo(leapPage.seqCount());
                    return new LeapReadings(leapPage, before.reading(), after.reading());
                });
        VmclockPage leapPage = readings.page();
        PtpReading.Method m1 = readings.before().gettime();
        PtpReading.Method m2 = readings.after().gettime();
        assertThat(m1.errno()).as("PTP read before the leap").isEmpty();
        assertThat(m2.errno()).as("PTP read after the leap").isEmpty();
        BigDecimal o1 = PtpTime.offset(leapPage, m1);
        BigDecimal o2 = PtpTime.offset(leapPage, m2);
        vmclock.evidence().note("before the leap (page UTC " + ClockMath.timeAt(leapPage, m1.tscBefore()) + "): PTP - page time = "
                + o1 + " s; after it (page UTC " + ClockMath.timeAt(leapPage, m2.tscBefore()) + "): " + o2 + " s; "
                + "true TAI = page time - tai_offset_sec = page time + " + (-TAI_OFFSET_2016) + " s (UAPI.13 v1.1)");
        assertThat(o2.subtract(o1)).as("step (s) of the guest's TAI (PTP) across the leap second: the reading after "
                + "it minus the one before, less the time elapsed on the page's counter")
                .isBetween(PtpTime.TOLERANCE.multiply(BigDecimal.valueOf(-2)), PtpTime.TOLERANCE.multiply(BigDecimal.valueOf(2)));
        BigDecimal trueTai = BigDecimal.valueOf(-TAI_OFFSET_2016);
        assertThat(PtpTime.distance(leapPage, m2, trueTai)).as("distance (s) of the PTP reading after the leap from "
                + "true TAI (the page's extrapolated UTC + %s s)", trueTai).isLessThanOrEqualTo(PtpTime.TOLERANCE);
    }

    private record LeapReadings(VmclockPage page, PtpReading before, PtpReading after) {
    }

    private static void sleepUntil(VmclockView vmclock, VmclockPage page, BigDecimal pageTime) {
        Waits.await(Duration.ofSeconds(10), Duration.ofMillis(200),
                () -> ClockMath.timeAt(page, vmclock.guest().clocks().tsc().get(0).tsc()), t -> t.compareTo(pageTime) > 0,
                t -> new IllegalStateException("the guest's counter did not reach page time " + pageTime + " within 10 s"
                        + " (page time was " + t + ")"));
    }
}
