package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.clock.PtpTime;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * tai_offset_sec (0x24): the signed offset from TAI to UTC, UTC − TAI in seconds, valid with TAI_OFFSET_VALID
 * (UAPI.13 v1.1 §Structure Fields, tai_offset_sec: −37 today; spec-map Errata 4, resolved by v1.1).
 */
@VmclockConformance
class TaiOffsetTest {

    /** UTC − TAI since 2017-01-01 (IERS Bulletin C); no leap second has been announced since. */
    static final int CURRENT_TAI_OFFSET = -ClockMath.TAI_MINUS_UTC;
    /** A signed 16-bit offset no clock has: UTC 8 h 43 min behind TAI. */
    static final int GARBAGE_OFFSET = -31415;

    @Test
    @Clause("VMC-TAI-01")
    void offsetDecodesAsSignedSixteenBit(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessFlag(p, Flag.TAI_OFFSET_VALID);
        // Read as two's complement, a real offset is small; an unsigned reading (or garbage) is not.
        assertThat((int) p.taiOffsetSec()).as("tai_offset_sec as signed 16-bit").isBetween(-100, 100);
    }

    @Test
    @Clause("VMC-TAI-02")
    void offsetIgnoredWhenFlagClear(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessClock(p);
        NotApplicable.unless(!p.flags().has(Flag.TAI_OFFSET_VALID), "TAI_OFFSET_VALID is set");
        NotApplicable.unless(p.timeType().equals(TimeType.UTC), "time_type is " + p.timeType()
                + "; only a UTC page needs the offset to give TAI");
        // ptp_vmclock's PTP clock is TAI: from a UTC page without a valid offset it must not offer one.
        assertThat(vmclock.guest().ptpClocks()).as("PTP clocks in the guest").noneMatch(n -> n.contains("vmclock"));
    }

    /**
     * The same clock republished as a UTC page with TAI_OFFSET_VALID clear and garbage in tai_offset_sec: the
     * guest's PTP clock (registered for the TAI page at boot) may refuse to serve TAI or serve it some other way,
     * but no reading may be the page's UTC shifted by the garbage offset. The garbage is hours, far from any
     * real offset, so an unshifted UTC or TAI reading cannot match it by chance.
     */
    @Test
    @Clause("VMC-TAI-02")
    void garbageOffsetUnusedWhenFlagClear(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.timeType().equals(TimeType.TAI), "time_type is " + p.timeType()
                + ", not TAI, from which the suite derives the UTC page");
        NotApplicable.unless(!p.clockStatus().equals(ClockStatus.UNRELIABLE),
                "clock_status is UNRELIABLE, with which the driver serves no time (VMC-STATUS-04)");
        vmclock.withTemporaryPage("the same clock as a UTC page, TAI_OFFSET_VALID clear, tai_offset_sec "
                + GARBAGE_OFFSET, page -> {
            PageField.TIME_TYPE.write(page, TimeType.UTC.value());
            PageField.TIME_SEC.write(page, PageField.TIME_SEC.read(page) + CURRENT_TAI_OFFSET);
            PageField.FLAGS.write(page, PageField.FLAGS.read(page) & ~Flag.TAI_OFFSET_VALID.mask());
            PageField.TAI_OFFSET_SEC.write(page, GARBAGE_OFFSET);
        }, () -> {
            PtpReads.Observed o = PtpReads.against(vmclock);
            for (PtpReading.Method m : o.reading().methods()) {
                if (!m.ok()) {
                    vmclock.evidence().note(m.name() + " refused with " + m.errno().get());
                    continue;
                }
                vmclock.evidence().note(m.name() + ": reading - page UTC = " + PtpTime.offset(o.page(), m) + " s");
                // UTC - offset is what a consumer that trusted the field would serve as TAI.
                assertThat(PtpTime.distance(o.page(), m, BigDecimal.valueOf(-GARBAGE_OFFSET)))
                        .as("%s: distance (s) of the PTP reading from the page's UTC minus the unflagged "
                                + "tai_offset_sec (%d s)", m.name(), GARBAGE_OFFSET)
                        .isGreaterThan(PtpTime.TOLERANCE);
            }
            return null;
        });
    }

    @Test
    @Clause("VMC-TAI-03")
    void offsetIsPopulated(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        assertThat(p.flags().has(Flag.TAI_OFFSET_VALID)).as("TAI_OFFSET_VALID set (flags 0x%s)",
                Long.toHexString(p.flags().raw())).isTrue();
        assertThat((int) p.taiOffsetSec()).as("tai_offset_sec").isNotZero();
    }

    @Test
    @Clause({"VMC-TAI-04", "VMC-FLAGS-02"})
    void offsetIsMinus37WhenValid(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessFlag(p, Flag.TAI_OFFSET_VALID);
        // +37 is TAI − UTC, v1.0's example value: with it Linux's tai_adjust() puts TAI 74 s behind.
        assertThat((int) p.taiOffsetSec()).as("tai_offset_sec (UTC - TAI, UAPI.13 v1.1)").isEqualTo(CURRENT_TAI_OFFSET);
    }
}
