package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.target.VmclockView;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
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
        // Two readings 200 ms apart: the formula must advance with the host's clock, not just start near it.
        long c0 = vmclock.guest().clocks().tsc().get(0).tsc();
        long h0 = System.nanoTime();
        Thread.sleep(200);
        long c1 = vmclock.guest().clocks().tsc().get(0).tsc();
        long h1 = System.nanoTime();
        BigDecimal pageElapsed = ClockMath.timeAt(p, c1).subtract(ClockMath.timeAt(p, c0));
        BigDecimal hostElapsed = BigDecimal.valueOf(h1 - h0).movePointLeft(9);
        vmclock.evidence().note("elapsed by the page's formula " + pageElapsed + " s, by the host " + hostElapsed + " s");
        assertThat(pageElapsed.subtract(hostElapsed).abs()).as("|page - host| elapsed over ~200 ms (s)")
                .isLessThan(new BigDecimal("0.02"));
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
