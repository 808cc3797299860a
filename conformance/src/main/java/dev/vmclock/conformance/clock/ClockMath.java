package dev.vmclock.conformance.clock;

import dev.vmclock.harness.page.CounterId;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * UAPI.13 §Calculating time, exactly: T = T1 + P·(C_now − C1) with T1 = time_sec + time_frac_sec/2^64 and
 * P = counter_period_frac_sec / 2^(64 + counter_period_shift) seconds, in arbitrary precision.
 */
public final class ClockMath {

    /**
     * TAI - UTC in seconds since 2017-01-01 (IERS Bulletin C; no leap second announced since). The page's
     * own {@code tai_offset_sec} is UTC - TAI (UAPI.13 v1.1), -37 today; the suite compares page times with
     * the host through this constant, so a wrong offset on the page fails only the offset's own clauses.
     */
    public static final int TAI_MINUS_UTC = 37;

    private static final BigDecimal TWO_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));
    private static final MathContext MC = new MathContext(40);

    private ClockMath() {
    }

    /** True when the page advertises a clock at all (counter_id is not INVALID). */
    public static boolean advertisesClock(VmclockPage p) {
        return !p.counterId().equals(CounterId.INVALID);
    }

    public static boolean isEpochBased(VmclockPage p) {
        return p.timeType().equals(TimeType.UTC) || p.timeType().equals(TimeType.TAI);
    }

    /** Seconds per counter tick. */
    public static BigDecimal period(VmclockPage p) {
        return unsigned(p.counterPeriodFracSec()).divide(TWO_64, MC)
                .divide(new BigDecimal(BigInteger.ONE.shiftLeft(p.counterPeriodShift())), MC);
    }

    /** The time the page gives for counter reading {@code counter}, in seconds of its time_type's scale. */
    public static BigDecimal timeAt(VmclockPage p, long counter) {
        BigDecimal t1 = unsigned(p.timeSec()).add(unsigned(p.timeFracSec()).divide(TWO_64, MC));
        BigDecimal ticks = new BigDecimal(BigInteger.valueOf(counter).subtract(BigInteger.valueOf(p.counterValue())));
        return t1.add(period(p).multiply(ticks, MC), MC);
    }

    /**
     * The same instant on today's UTC scale: a TAI time less the current TAI - UTC (not the page's
     * tai_offset_sec, which VMC-TAI-04 judges on its own).
     */
    public static BigDecimal utcAt(VmclockPage p, long counter) {
        BigDecimal t = timeAt(p, counter);
        return p.timeType().equals(TimeType.TAI) ? t.subtract(BigDecimal.valueOf(TAI_MINUS_UTC)) : t;
    }

    public static BigDecimal unsigned(long v) {
        return new BigDecimal(new BigInteger(Long.toUnsignedString(v)));
    }

    /**
     * The page's maximum error for a counter reading: T_maxerr + P_maxerr * |C - C1| (UAPI.13: the error of
     * the period accumulates over the ticks since the page's counter_value), in seconds.
     */
    public static BigDecimal maxErrorAt(VmclockPage p, long counter) {
        BigDecimal ticks = BigDecimal.valueOf(counter).subtract(unsigned(p.counterValue())).abs();
        BigDecimal periodErr = unsigned(p.counterPeriodMaxerrorRateFracSec())
                .divide(unsigned(p.counterPeriodFracSec()).max(BigDecimal.ONE), MathContext.DECIMAL64)
                .multiply(period(p));
        return unsigned(p.timeMaxerrorNanosec()).movePointLeft(9).add(periodErr.multiply(ticks));
    }
}
