package dev.vmclock.conformance.clock;

import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;

/**
 * A guest PTP reading against the page it was computed from. Each reading is bracketed by the guest's
 * TSC (the counter the page describes), so the page gives the interval the reading must fall in:
 * [T(C_before), T(C_after)] on the page's own time scale, plus whatever shift the consumer applies
 * (the TAI offset for a UTC page).
 */
public final class PtpTime {

    /** Slack around the TSC bracket: rounding to nanoseconds and the reads' own placement. */
    public static final BigDecimal TOLERANCE = new BigDecimal("0.001");

    private PtpTime() {
    }

    public static BigDecimal seconds(long nanos) {
        return BigDecimal.valueOf(nanos).movePointLeft(9);
    }

    /** The page's time (seconds, its own scale) at the start and end of the method's TSC bracket. */
    public static BigDecimal[] bracket(VmclockPage p, PtpReading.Method m) {
        return new BigDecimal[] {ClockMath.timeAt(p, m.tscBefore()), ClockMath.timeAt(p, m.tscAfter())};
    }

    /**
     * How far (seconds, 0 when inside) the reading lies outside the bracket the page gives, each end moved
     * by {@code shift} seconds.
     */
    public static BigDecimal distance(VmclockPage p, PtpReading.Method m, BigDecimal shift) {
        BigDecimal[] b = bracket(p, m);
        BigDecimal t = seconds(m.ptpNanos());
        BigDecimal lo = b[0].add(shift);
        BigDecimal hi = b[1].add(shift);
        if (t.compareTo(lo) < 0) {
            return lo.subtract(t);
        }
        return t.compareTo(hi) > 0 ? t.subtract(hi) : BigDecimal.ZERO;
    }

    /** Signed offset (seconds) of the reading from the middle of the bracket the page gives. */
    public static BigDecimal offset(VmclockPage p, PtpReading.Method m) {
        BigDecimal[] b = bracket(p, m);
        return seconds(m.ptpNanos()).subtract(b[0].add(b[1]).divide(BigDecimal.valueOf(2)));
    }
}
