package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.clock.PtpTime;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;

/**
 * The guest's vmclock PTP clock against the page it computes from: the clauses about what a consumer
 * does with the clock data (VMC-STATUS-04, VMC-ERR-01, VMC-LEAP-03, VMC-DRIVER-12) are observed here.
 */
final class PtpReads {

    /** A PTP reading and the page that was published throughout it. */
    record Observed(VmclockPage page, PtpReading reading) {
    }

    private PtpReads() {
    }

    /** Reads the PTP clock between two host reads of the page that show the same seq_count. */
    static Observed against(VmclockView vmclock) {
        vmclock.evidence().note("guest clocksource: " + vmclock.guest().clocks().clocksource());
        for (int i = 0; i < 3; i++) {
            VmclockPage before = vmclock.page();
            PtpReading r = vmclock.ptpRead();
            VmclockPage after = vmclock.page();
            if (before.seqCount() == after.seqCount()) {
                return new Observed(before, r);
            }
        }
        throw new IllegalStateException("the page changed during each of three PTP readings");
    }

    /**
     * Every way of reading that served time gave the page's time plus {@code shift} seconds, within the TSC
     * bracket of the read; clock_gettime and PTP_SYS_OFFSET_EXTENDED (the driver's gettimex64) must serve.
     * PTP_SYS_OFFSET_PRECISE needs the guest's system clocksource to be the page's counter, so its refusal
     * is recorded, not judged.
     */
    static void assertReadsPageTime(VmclockView vmclock, Observed o, BigDecimal shift, String what) {
        PtpReading r = o.reading();
        assertThat(r.gettime().errno()).as("clock_gettime(%s) errno", r.device()).isEmpty();
        assertThat(r.extended().errno()).as("PTP_SYS_OFFSET_EXTENDED on %s errno", r.device()).isEmpty();
        for (PtpReading.Method m : r.methods()) {
            if (!m.ok()) {
                vmclock.evidence().note(m.name() + " refused with " + m.errno().get() + " (recorded, not judged)");
                continue;
            }
            BigDecimal d = PtpTime.distance(o.page(), m, shift);
            vmclock.evidence().note(m.name() + ": reading - page time = " + PtpTime.offset(o.page(), m)
                    + " s; outside [page time over the TSC bracket] + " + shift + " s by " + d + " s");
            assertThat(d).as("%s: distance (s) of the PTP reading from %s", m.name(), what)
                    .isLessThanOrEqualTo(PtpTime.TOLERANCE);
        }
    }

    /** True TAI now, from the host's UTC and the current TAI - UTC (37 s since 2017). */
    static BigDecimal hostTai() {
        return BigDecimal.valueOf(System.currentTimeMillis()).movePointLeft(3).add(BigDecimal.valueOf(ClockMath.TAI_MINUS_UTC));
    }
}
