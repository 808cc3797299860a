package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.clock.TscSample;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.math.MathContext;
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
    /**
     * Frequency a synchronised clock keeps within: NTP's 500 ppm tolerance (RFC 5905 §11.3), the most any
     * disciplined clock is allowed to be steered by.
     */
    private static final BigDecimal SYNCHRONISED_RATE_TOLERANCE = new BigDecimal("500e-6");

    /** Between the two samples of the page's rate: long enough that the pairings' round trips are small beside it. */
    private static final long RATE_INTERVAL_MS = 500;

    /**
     * The page's time against the host's UTC at two instants, each paired through the agent round trip that
     * carried the guest's TSC: the offset within the page's own maximum error (else {@code defaultBound}) plus
     * half that round trip, and the rate between the two within the tolerance plus both round trips over the
     * interval. Judging the rate makes the verdict independent of how long ago the clock was last anchored.
     */
    private static void assertTimeWithin(VmclockView vmclock, ClockStatus status, BigDecimal defaultBound) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.clockStatus().equals(status), "clock_status is " + p.clockStatus() + ", not " + status);
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " cannot be compared with UTC");
        TscSample a = TscSample.take(vmclock.guest());
        try {
            Thread.sleep(RATE_INTERVAL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        TscSample b = TscSample.take(vmclock.guest());
        VmclockPage q = vmclock.page();
        NotApplicable.unless(q.seqCount() == p.seqCount(), "the page was updated between the two samples (seq_count "
                + p.seqCount() + " -> " + q.seqCount() + "): its rate cannot be judged across an update");
        BigDecimal limit = p.flags().has(Flag.TIME_MAXERROR_VALID) && p.flags().has(Flag.PERIOD_MAXERROR_VALID)
                ? ClockMath.maxErrorAt(p, b.tsc())
                : p.flags().has(Flag.TIME_MAXERROR_VALID) ? ClockMath.unsigned(p.timeMaxerrorNanosec()).movePointLeft(9)
                : defaultBound;
        BigDecimal pageA = ClockMath.utcAt(p, a.tsc());
        BigDecimal pageB = ClockMath.utcAt(p, b.tsc());
        BigDecimal offset = pageB.subtract(seconds(b.hostTime())).abs();
        BigDecimal offsetBound = limit.add(BigDecimal.valueOf(b.roundTripNanos() / 2).movePointLeft(9));
        BigDecimal hostInterval = BigDecimal.valueOf(b.hostNanos() - a.hostNanos()).movePointLeft(9);
        BigDecimal rateError = pageB.subtract(pageA).divide(hostInterval, MathContext.DECIMAL64)
                .subtract(BigDecimal.ONE).abs();
        BigDecimal rateBound = SYNCHRONISED_RATE_TOLERANCE.add(BigDecimal.valueOf(a.roundTripNanos() + b.roundTripNanos())
                .movePointLeft(9).divide(hostInterval, MathContext.DECIMAL64));
        vmclock.evidence().note(String.format("page vs host UTC: %s s, bound %s s (the page's limit plus half the "
                + "%d us round trip); rate error over %s s: %s, bound %s (tolerance plus both round trips %d and %d us "
                + "over the interval)", offset.round(MathContext.DECIMAL32), offsetBound.round(MathContext.DECIMAL32),
                b.roundTripNanos() / 1000, hostInterval.round(MathContext.DECIMAL32), rateError.round(MathContext.DECIMAL32),
                rateBound.round(MathContext.DECIMAL32), a.roundTripNanos() / 1000, b.roundTripNanos() / 1000));
        assertThat(offset).as("|page time - host UTC| (s) with status %s", status).isLessThanOrEqualTo(offsetBound);
        assertThat(rateError).as("|page rate / host rate - 1| with status %s", status).isLessThanOrEqualTo(rateBound);
    }

    private static BigDecimal seconds(java.time.Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano()).movePointLeft(9));
    }
}
