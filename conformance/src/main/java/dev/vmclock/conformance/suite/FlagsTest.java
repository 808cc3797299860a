package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** flags (0x18), numbered as in vmclock-abi.h and UAPI.13 v1.1 §Feature Flags (v1.0's table was one bit off: Errata 1). */
@VmclockConformance
class FlagsTest {

    @Test
    @Clause("VMC-FLAGS-01")
    void onlyDefinedFlagBitsAreSet(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        assertThat(p.flags().unknownBits()).as("flag bits a version-1 device does not define (flags 0x%s)",
                Long.toHexString(p.flags().raw())).isZero();
    }

    /**
     * Which bit the device means as VM_GEN_COUNTER_PRESENT is seen from the counter it runs: a counter that
     * changes on loadvm (VMC-GEN-02) is there. Bit 8 with such a counter is right. Bit 7 (TIME_MONOTONIC,
     * meaningless without a clock) alone with such a counter is UAPI.13 v1.0's numbering, which v1.1 retired.
     * A counter that never changes says nothing about the bit: that is VMC-GEN-02's failure, not this one.
     */
    @Test
    @Clause("VMC-FLAGS-01")
    void vmGenCounterFlagIsBit8(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        boolean bit7 = p.flags().has(Flag.TIME_MONOTONIC);
        boolean bit8 = p.flags().has(Flag.VM_GEN_COUNTER_PRESENT);
        NotApplicable.unless(bit7 || bit8, "neither bit 7 nor bit 8 is set");
        NotApplicable.unless(bit8 || !ClockMath.advertisesClock(p), "bit 7 is set on a page with a clock, where it "
                + "means TIME_MONOTONIC (VMC-FLAGS-10 judges it)");
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        NotApplicable.unless(o.changed(PageField.VM_GENERATION_COUNTER), "the counter at 0x68 did not change on loadvm, "
                + "so no generation counter shows which bit announces it (VMC-GEN-02 judges the counter)");
        assertThat(bit8).as("the counter at 0x68 changes on loadvm and the flags are 0x%s: bit 8 (not v1.0's bit 7) "
                + "must announce it", Long.toHexString(p.flags().raw())).isTrue();
    }

    @Test
    @Clause("VMC-FLAGS-01")
    void notificationFlagIsBit9(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unless(p.flags().has(Flag.NOTIFICATION_PRESENT), "bit 9 (NOTIFICATION_PRESENT) is not set");
        // The guest driver reads bit 9 as "notifications present": poll() must then not hang up at once.
        var r = vmclock.inGuest(() -> vmclock.guest().poll(java.time.Duration.ofMillis(100)));
        assertThat(r.hungUp()).as("poll() with bit 9 set: %s", r).isFalse();
    }

    @Test
    @Clause("VMC-FLAGS-03")
    void taiOffsetValidIsSet(VmclockView vmclock) {
        assertThat(vmclock.bootPage().flags().has(Flag.TAI_OFFSET_VALID)).as("TAI_OFFSET_VALID").isTrue();
    }

    @Test
    @Clause("VMC-FLAGS-06")
    void periodEsterrorValidOnlyWithData(VmclockView vmclock) {
        assertErrorField(vmclock, Flag.PERIOD_ESTERROR_VALID, PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC);
    }

    @Test
    @Clause("VMC-FLAGS-07")
    void periodMaxerrorValidOnlyWithData(VmclockView vmclock) {
        assertErrorField(vmclock, Flag.PERIOD_MAXERROR_VALID, PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC);
    }

    @Test
    @Clause("VMC-FLAGS-08")
    void timeEsterrorValidOnlyWithData(VmclockView vmclock) {
        assertErrorField(vmclock, Flag.TIME_ESTERROR_VALID, PageField.TIME_ESTERROR_NANOSEC);
    }

    @Test
    @Clause("VMC-FLAGS-09")
    void timeMaxerrorValidOnlyWithData(VmclockView vmclock) {
        assertErrorField(vmclock, Flag.TIME_MAXERROR_VALID, PageField.TIME_MAXERROR_NANOSEC);
    }

    /** Valid data: an error bound of an advertised clock, smaller than the quantity it bounds. */
    private static void assertErrorField(VmclockView vmclock, Flag flag, PageField field) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessFlag(p, flag);
        assertThat(ClockMath.advertisesClock(p)).as("%s set although counter_id is INVALID", flag).isTrue();
        long v = field.read(p.raw());
        if (field == PageField.TIME_ESTERROR_NANOSEC || field == PageField.TIME_MAXERROR_NANOSEC) {
            assertThat(v).as("%s (ns) with %s", field.cName(), flag).isBetween(0L, 1_000_000_000L);
        } else {
            assertThat(Long.compareUnsigned(v, p.counterPeriodFracSec())).as("%s below the period itself", field.cName())
                    .isLessThan(0);
        }
    }

    /**
     * The time the structure gives is never later before an update than after it: across a routine update
     * the device's clock writer makes inside the check (when the suite can prompt one), and across what the
     * device does to the page at a live migration. Each from fresh guest counter readings.
     */
    @Test
    @Clause("VMC-FLAGS-10")
    void timeMonotonicNeverGoesBackwardsAcrossUpdates(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        NotApplicable.unlessFlag(vmclock.page(), Flag.TIME_MONOTONIC);
        long c0 = tsc(vmclock);
        Optional<VmclockView.ClockUpdate> routine = vmclock.clockUpdate();
        if (routine.isPresent()) {
            assertNotEarlier(vmclock, "the routine update", routine.get().before(), c0, routine.get().after(), tsc(vmclock));
        }
        VmclockPage before = vmclock.page();
        long e0 = tsc(vmclock);
        vmclock.across(Event.LIVE_MIGRATION);
        assertNotEarlier(vmclock, "live migration", before, e0, vmclock.page(), tsc(vmclock));
    }

    private static void assertNotEarlier(VmclockView vmclock, String update, VmclockPage before, long c0, VmclockPage after,
            long c1) {
        BigDecimal t0 = ClockMath.timeAt(before, c0);
        BigDecimal t1 = ClockMath.timeAt(after, c1);
        vmclock.evidence().note(update + ": time at counter " + c0 + " before " + t0 + ", at counter " + c1 + " after " + t1);
        assertThat(t1).as("time after %s vs before", update).isGreaterThanOrEqualTo(t0);
    }

    /**
     * At the update boundary the counter reading just after seq_count turns odd and the one just before it
     * turns even are one reading for this check: for the routine update the writer's own counter_value,
     * for savevm a guest reading right after it. The new parameters must not give it an earlier time.
     */
    @Test
    @Clause("VMC-FLAGS-11")
    void timeMonotonicHoldsAtUpdateBoundary(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        NotApplicable.unlessFlag(vmclock.page(), Flag.TIME_MONOTONIC);
        Optional<VmclockView.ClockUpdate> routine = vmclock.clockUpdate();
        if (routine.isPresent()) {
            assertNewNotEarlier(vmclock, "the routine update", routine.get().before(), routine.get().after(),
                    routine.get().after().counterValue());
        }
        VmclockPage before = vmclock.page();
        vmclock.across(Event.SNAPSHOT_SAVE);
        assertNewNotEarlier(vmclock, "savevm", before, vmclock.page(), tsc(vmclock));
    }

    private static void assertNewNotEarlier(VmclockView vmclock, String update, VmclockPage old, VmclockPage updated, long c) {
        BigDecimal was = ClockMath.timeAt(old, c);
        BigDecimal now = ClockMath.timeAt(updated, c);
        vmclock.evidence().note(update + ": at counter " + c + " old parameters " + was + ", new " + now);
        assertThat(now).as("time at counter %d across %s, new vs old parameters", c, update).isGreaterThanOrEqualTo(was);
    }

    private static long tsc(VmclockView vmclock) {
        return vmclock.guest().clocks().tsc().get(0).tsc();
    }

    @Test
    @Clause("VMC-FLAGS-12")
    void unknownFlagBitsAreIgnoredByGuest(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unless(p.flags().unknownBits() != 0, "the device sets no flag bits beyond bit 9");
        // "Unknown flags can safely be ignored": the driver still binds and serves the page.
        assertThat(vmclock.guestRead().page().flags().unknownBits()).as("unknown bits as the guest reads them")
                .isEqualTo(p.flags().unknownBits());
    }
}
