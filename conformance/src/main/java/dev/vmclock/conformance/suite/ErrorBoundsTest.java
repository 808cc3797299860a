package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.clock.TscSample;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.guest.StressResult;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** UAPI.13 §Time error calculation: T1 ± T_maxerr + (P ± P_maxerr)(C_now − C1). */
@VmclockConformance
class ErrorBoundsTest {

    /**
     * Error fields whose VALID flag (bits 3-6) is clear are not used: the same clock republished with the
     * four flags clear and garbage in the four error fields reads, through the guest's PTP clock, exactly
     * the page's time, as it does with the real fields.
     */
    @Test
    @Clause("VMC-ERR-01")
    void errorFieldsWithoutValidFlagDoNotAffectTheClock(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.timeType().equals(TimeType.TAI) || p.flags().has(Flag.TAI_OFFSET_VALID),
                "the guest's PTP clock serves only TAI, or UTC with a valid TAI offset (time_type " + p.timeType() + ")");
        NotApplicable.unless(!p.clockStatus().equals(ClockStatus.UNRELIABLE),
                "clock_status is UNRELIABLE, with which the driver serves no time (VMC-STATUS-04)");
        BigDecimal shift = p.timeType().equals(TimeType.TAI) ? BigDecimal.ZERO : BigDecimal.valueOf(-p.taiOffsetSec());
        PtpReads.assertReadsPageTime(vmclock, PtpReads.against(vmclock), shift, "the page's time (error fields as published)");
        long validBits = Flag.PERIOD_ESTERROR_VALID.mask() | Flag.PERIOD_MAXERROR_VALID.mask()
                | Flag.TIME_ESTERROR_VALID.mask() | Flag.TIME_MAXERROR_VALID.mask();
        vmclock.withTemporaryPage("error VALID flags (bits 3-6) clear, garbage in the four error fields", page -> {
            PageField.FLAGS.write(page, PageField.FLAGS.read(page) & ~validBits);
            PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.write(page, 0xdeadbeefdeadbeefL);
            PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.write(page, -1L);
            PageField.TIME_ESTERROR_NANOSEC.write(page, 0x7fffffffffffffffL);
            PageField.TIME_MAXERROR_NANOSEC.write(page, -1L);
        }, () -> {
            PtpReads.assertReadsPageTime(vmclock, PtpReads.against(vmclock), shift,
                    "the page's time with garbage error fields (VALID flags clear)");
            return null;
        });
    }

    @Test
    @Clause("VMC-ERR-02")
    void trueTimeWithinMaxErrorBounds(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = requireMaxErrors(vmclock.page());
        // The guest read its TSC somewhere inside the agent round trip: half of it is the pairing's uncertainty.
        TscSample s = TscSample.take(vmclock.guest());
        long c = s.tsc();
        BigDecimal host = BigDecimal.valueOf(s.hostTime().getEpochSecond()).add(BigDecimal.valueOf(s.hostTime().getNano())
                .movePointLeft(9));
        BigDecimal bound = maxError(p, c).add(BigDecimal.valueOf(s.roundTripNanos() / 2).movePointLeft(9));
        BigDecimal diff = ClockMath.utcAt(p, c).subtract(host).abs();
        vmclock.evidence().note("|page - host| " + diff + " s within bound " + bound + " s (the page's maximum error "
                + "at this counter plus half the " + s.roundTripNanos() / 1000 + " us round trip)");
        assertThat(diff).as("|page time - host UTC| (s)").isLessThanOrEqualTo(bound);
    }

    /**
     * A counter reading taken before an update keeps a time within its earlier bounds: across a routine
     * update the device's clock writer makes inside the check (when the suite can prompt one), and across
     * what the device does to the page at a live migration.
     */
    @Test
    @Clause("VMC-ERR-03")
    void subsequentUpdateStaysWithinEarlierBounds(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        requireMaxErrors(vmclock.page());
        long c = vmclock.guest().clocks().tsc().get(0).tsc();
        Optional<VmclockView.ClockUpdate> routine = vmclock.clockUpdate();
        if (routine.isPresent()) {
            assertWithinEarlierBounds(vmclock, "the routine update", routine.get().before(), routine.get().after(), c);
        }
        VmclockPage before = requireMaxErrors(vmclock.page());
        long e = vmclock.guest().clocks().tsc().get(0).tsc();
        vmclock.across(Event.LIVE_MIGRATION);
        assertWithinEarlierBounds(vmclock, "live migration", before, vmclock.page(), e);
    }

    private static void assertWithinEarlierBounds(VmclockView vmclock, String update, VmclockPage before, VmclockPage after,
            long c) {
        BigDecimal t = ClockMath.timeAt(before, c);
        BigDecimal e = maxError(before, c);
        BigDecimal later = ClockMath.timeAt(after, c);
        vmclock.evidence().note(update + ": counter " + c + " before " + t + " s +/- " + e + " s, after " + later + " s");
        assertThat(later).as("time for counter %d after %s, within [%s, %s]", c, update, t.subtract(e), t.add(e))
                .isBetween(t.subtract(e), t.add(e));
    }

    /**
     * Updates at any instant: the hypervisor publishes updates at random instants while the guest's seqlock
     * reader (the agent's loop over the mmap()ed page) runs; no copy it accepts may be torn.
     */
    @Test
    @Clause("VMC-ERR-04")
    void guestToleratesUpdateAtAnyTime(VmclockView vmclock) {
        UpdateRace.Result<StressResult> race = UpdateRace.run(vmclock, "the guest's seqlock reader",
                () -> vmclock.inGuest(() -> vmclock.guest().stress(STRESS_ITERATIONS, PageField.STRUCT_SIZE)));
        StressResult r = race.reading();
        vmclock.evidence().note("guest reader under " + race.updates() + " racing updates: " + r);
        assertThat(r.torn()).as("copies that differed under one even, unchanged seq_count (%s)", r).isZero();
    }

    /**
     * The guest reader's copies of the structure (0x70 bytes, the tags inside it): about a second under TCG
     * whether it mostly retries (a correct writer's odd windows) or copies (a writer that never goes odd; 4 KiB
     * copies took over 20 s there), so many updates land inside it.
     */
    private static final long STRESS_ITERATIONS = 200_000;

    private static VmclockPage requireMaxErrors(VmclockPage p) {
        NotApplicable.unless(ClockMath.advertisesClock(p) && p.clockStatus().parametersReliable(),
                "no reliable clock is advertised (counter_id " + p.counterId() + ", clock_status " + p.clockStatus() + ")");
        NotApplicable.unlessFlag(p, Flag.TIME_MAXERROR_VALID);
        NotApplicable.unlessFlag(p, Flag.PERIOD_MAXERROR_VALID);
        return p;
    }

    private static BigDecimal maxError(VmclockPage p, long counter) {
        return ClockMath.maxErrorAt(p, counter);
    }
}
