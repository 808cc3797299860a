package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.clock.TscSample;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** UAPI.13 §Calculating time: T = T1 + P·(C_now − C1), P = counter_period_frac_sec >> (64 + shift). */
@VmclockConformance
class TimeCalculationTest {

    @Test
    @Clause("VMC-TIME-06")
    void computedTimeMatchesHostClock(VmclockView vmclock) throws InterruptedException {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(ClockMath.isEpochBased(p), "time_type " + p.timeType() + " has no epoch to compare with");
        NotApplicable.unless(p.clockStatus().parametersReliable(), "clock_status is " + p.clockStatus()
                + ": the parameters are not to be relied upon");
        // Two pairings of a guest TSC reading with the host's clock, 200 ms apart: the formula must advance
        // with the host's clock, not just start near it. Each pairing is uncertain by its agent round trip,
        // and the page itself admits its period's maximum error over the interval.
        TscSample a = TscSample.take(vmclock.guest());
        Thread.sleep(200);
        TscSample b = TscSample.take(vmclock.guest());
        BigDecimal pageElapsed = ClockMath.timeAt(p, b.tsc()).subtract(ClockMath.timeAt(p, a.tsc()));
        BigDecimal hostElapsed = BigDecimal.valueOf(b.hostNanos() - a.hostNanos()).movePointLeft(9);
        BigDecimal pairing = BigDecimal.valueOf(a.roundTripNanos() + b.roundTripNanos()).movePointLeft(9)
                .divide(BigDecimal.valueOf(2));
        BigDecimal rate = p.flags().has(Flag.PERIOD_MAXERROR_VALID)
                ? ClockMath.unsigned(p.counterPeriodMaxerrorRateFracSec())
                        .divide(ClockMath.unsigned(p.counterPeriodFracSec()), MathContext.DECIMAL64).multiply(pageElapsed.abs())
                : BigDecimal.ZERO;
        BigDecimal bound = pairing.add(rate);
        BigDecimal diff = pageElapsed.subtract(hostElapsed).abs();
        vmclock.evidence().note("elapsed by the page's formula " + pageElapsed + " s, by the host " + hostElapsed
                + " s; |difference| " + diff + " s; bound " + bound + " s = half the two agent round trips ("
                + a.roundTripNanos() / 1000 + " us, " + b.roundTripNanos() / 1000 + " us) + the advertised period "
                + "maximum error over the interval (" + rate + " s)");
        assertThat(diff).as("|page - host| elapsed over ~200 ms (s), bound from this run's round trips")
                .isLessThanOrEqualTo(bound);
    }

    @Test
    @Clause("VMC-TIME-07")
    void shiftAppliesToPeriodAndErrorRates(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessClock(p);
        // With the shift applied, the period is that of a real counter: between 10 MHz and 10 GHz.
        assertThat(p.counterPeriodFracSec()).as("counter_period_frac_sec of an advertised clock").isNotZero();
        double hz = 1 / ClockMath.period(p).doubleValue();
        assertThat(hz).as("counter frequency implied by period and shift (Hz)").isBetween(1e7, 1e10);
    }

    @Test
    @Clause("VMC-TIME-08")
    void periodKeepsFullPrecision(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessClock(p);
        assertThat(p.counterPeriodFracSec()).as("counter_period_frac_sec uses its top bit (shift %d chosen for precision)",
                p.counterPeriodShift()).isNegative();
    }
}
