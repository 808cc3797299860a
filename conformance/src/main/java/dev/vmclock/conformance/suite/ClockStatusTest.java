package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.target.VmclockView;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** clock_status (0x22): whether the clock parameters may be relied upon (UAPI.13 §Clock Status). */
@VmclockConformance
class ClockStatusTest {

    @Test
    @Clause("VMC-STATUS-01")
    void clockStatusIsDefinedValue(VmclockView vmclock) {
        assertThat(vmclock.bootPage().clockStatus().isDefined()).as("clock_status %s", vmclock.bootPage().clockStatus())
                .isTrue();
    }

    @Test
    @Clause("VMC-STATUS-02")
    void synchronizedParametersAreCorrect(VmclockView vmclock) {
        assertTimeWithin(vmclock, ClockStatus.SYNCHRONIZED, BigDecimal.ONE);
    }

    @Test
    @Clause("VMC-STATUS-03")
    void freerunningParametersAreValid(VmclockView vmclock) {
        assertTimeWithin(vmclock, ClockStatus.FREERUNNING, BigDecimal.valueOf(60));
    }

    /**
     * UNKNOWN, INITIALIZING and UNRELIABLE: "should not be relied upon". The reference guest's PTP clock
     * must refuse time (EINVAL) while the status is UNRELIABLE, by every way of reading it. What it does
     * with UNKNOWN and INITIALIZING is recorded: Linux serves time then, which the clause (a SHOULD NOT on
     * the guest) leaves to the guest. Uses the device's own status when it is UNRELIABLE, else publishes
     * the same clock with that status for the length of the check.
     */
    @Test
    @Clause("VMC-STATUS-04")
    void unreliableStatusServesNoTime(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        if (p.clockStatus().equals(ClockStatus.UNRELIABLE)) {
            assertRefused(vmclock, vmclock.ptpRead(), ClockStatus.UNRELIABLE);
            return;
        }
        for (ClockStatus s : new ClockStatus[] {ClockStatus.UNKNOWN, ClockStatus.INITIALIZING}) {
            PtpReading r = vmclock.withTemporaryPage("clock_status " + s, page -> PageField.CLOCK_STATUS.write(page,
                    s.value()), vmclock::ptpRead);
            vmclock.evidence().note("with clock_status " + s + " the guest's PTP clock: " + r + " (recorded)");
        }
        PtpReading r = vmclock.withTemporaryPage("clock_status UNRELIABLE",
                page -> PageField.CLOCK_STATUS.write(page, ClockStatus.UNRELIABLE.value()), vmclock::ptpRead);
        assertRefused(vmclock, r, ClockStatus.UNRELIABLE);
    }

    private static void assertRefused(VmclockView vmclock, PtpReading r, ClockStatus status) {
        for (PtpReading.Method m : r.methods()) {
            assertThat(m.errno()).as("%s on %s with clock_status %s: %s", m.name(), r.device(), status, m)
                    .contains("EINVAL");
        }
    }

    /** "Correct" is judged against the host's clock: within the advertised maxerror, else the given bound. */
    private static void assertTimeWithin(VmclockView vmclock, ClockStatus status, BigDecimal defaultBound) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.clockStatus().equals(status), "clock_status is " + p.clockStatus() + ", not " + status);
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " cannot be compared with UTC");
        long tsc = vmclock.guest().clocks().tsc().get(0).tsc();
        BigDecimal host = BigDecimal.valueOf(System.currentTimeMillis()).movePointLeft(3);
        BigDecimal bound = p.flags().has(Flag.TIME_MAXERROR_VALID)
                ? ClockMath.unsigned(p.timeMaxerrorNanosec()).movePointLeft(9).add(BigDecimal.valueOf(0.05))
                : defaultBound;
        BigDecimal diff = ClockMath.utcAt(p, tsc).subtract(host).abs();
        vmclock.evidence().note("page vs host UTC: " + diff + " s, bound " + bound + " s");
        assertThat(diff).as("|page time - host UTC| (s) with status %s", status).isLessThanOrEqualTo(bound);
    }
}
