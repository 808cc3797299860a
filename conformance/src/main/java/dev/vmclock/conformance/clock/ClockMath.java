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

    /** The same instant on the UTC scale, given the page's TAI offset when its time is TAI. */
    public static BigDecimal utcAt(VmclockPage p, long counter) {
        BigDecimal t = timeAt(p, counter);
        return p.timeType().equals(TimeType.TAI) ? t.subtract(BigDecimal.valueOf(p.taiOffsetSec())) : t;
    }

    public static BigDecimal unsigned(long v) {
        return new BigDecimal(new BigInteger(Long.toUnsignedString(v)));
    }
}
