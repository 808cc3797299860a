package dev.vmclock.conformance.clock;

import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.CounterId;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.Flags;
import dev.vmclock.harness.page.HypervisorWriter;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * A reference hypervisor writer for the clock half of VMClock, which QEMU leaves empty (counter_id
 * INVALID). Before the guest runs it presents the constant fields (X86_TSC, TAI); once the guest runs it
 * calibrates the guest's TSC against the host's clock and publishes T1, C1, the period and error bounds
 * under the seq_count protocol. The bad variants publish wrong data, to show the clock checks FAIL.
 * {@code tai_offset_sec} is UTC - TAI, -37 today (UAPI.13 v1.1 §Structure Fields, tai_offset_sec).
 */
public enum ReferenceClock {
    /** Correct data: the clock checks must PASS. */
    GOOD,
    /** The reference time 2 s off while claiming a 5 ms maximum error. */
    TIME_OFF,
    /** The period 20 % off: the clock runs at the wrong rate. */
    RATE_OFF,
    /** Correct time, but tai_offset_sec +37 (TAI - UTC, UAPI.13 v1.0's example) instead of v1.1's -37. */
    TAI_PLUS_37,
    /**
     * Correct until a routine update, which steps the time a second back: earlier than the time it
     * published before (TIME_MONOTONIC) and outside the 5 ms maximum error it declared.
     */
    STEPS_BACK;

    static final long TIME_MAXERROR_NS = 5_000_000;
    static final long TIME_ESTERROR_NS = 1_000_000;
    /** UTC - TAI (UAPI.13 v1.1): the offset a correct device publishes today. */
    static final int TAI_OFFSET = -ClockMath.TAI_MINUS_UTC;
    private static final BigDecimal TWO_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The tai_offset_sec this writer publishes. */
    int taiOffset() {
        return this == TAI_PLUS_37 ? ClockMath.TAI_MINUS_UTC : TAI_OFFSET;
    }

    public static ReferenceClock parse(String id) {
        return Arrays.stream(values()).filter(v -> v.id().equals(id) || v.name().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown reference clock '" + id + "'; known: "
                        + Arrays.stream(values()).map(ReferenceClock::id).toList()));
    }

    /** Before the guest's first instruction: what the driver reads at probe time. */
    public void presentConstants(HypervisorWriter hv) {
        hv.update(p -> {
            PageField.COUNTER_ID.write(p, CounterId.X86_TSC.value());
            PageField.TIME_TYPE.write(p, TimeType.TAI.value());
            PageField.CLOCK_STATUS.write(p, ClockStatus.INITIALIZING.value());
            PageField.FLAGS.write(p, Flag.TAI_OFFSET_VALID.mask());
            PageField.TAI_OFFSET_SEC.write(p, taiOffset());
        });
    }

    /** Calibrates the guest TSC against the host clock over about a second and publishes the clock. */
    public VmclockPage publish(GuestAgent guest, HypervisorWriter hv) throws InterruptedException {
        TscSample a = TscSample.take(guest);
        Thread.sleep(1000);
        TscSample b = TscSample.take(guest);
        Instant now = b.hostTime();
        long c1 = b.tsc();
        BigDecimal hz = BigDecimal.valueOf(c1 - a.tsc())
                .divide(BigDecimal.valueOf(b.hostNanos() - a.hostNanos()).movePointLeft(9), MathContext.DECIMAL64);
        // What the two pairings can be off by, as a fraction of the interval: the rate bounds must cover it.
        BigDecimal pairing = BigDecimal.valueOf(a.roundTripNanos() + b.roundTripNanos())
                .divide(BigDecimal.valueOf(b.hostNanos() - a.hostNanos()), MathContext.DECIMAL64);
        BigDecimal period = BigDecimal.ONE.divide(hz, MathContext.DECIMAL128);
        if (this == RATE_OFF) {
            period = period.multiply(new BigDecimal("1.2"));
        }
        BigDecimal tai = referenceTime(now);
        // The period as a 64-bit fraction, shifted left until its top bit is set (UAPI.13's precision advice).
        BigDecimal frac = period.multiply(TWO_64);
        int shift = 0;
        while (frac.multiply(BigDecimal.valueOf(2)).compareTo(TWO_64) < 0) {
            frac = frac.multiply(BigDecimal.valueOf(2));
            shift++;
        }
        long fracBits = frac.toBigInteger().longValue();
        long timeSec = tai.toBigInteger().longValue();
        long timeFrac = fraction(tai, timeSec);
        BigDecimal fracUnsigned = new BigDecimal(new BigInteger(Long.toUnsignedString(fracBits)));
        // 100 ppm beyond the calibration's own uncertainty (maximum), 10 ppm beyond half of it (estimate).
        long maxRate = fracUnsigned.multiply(new BigDecimal("1e-4").add(pairing)).toBigInteger().longValue();
        long estRate = fracUnsigned.multiply(new BigDecimal("1e-5").add(pairing.divide(BigDecimal.valueOf(2))))
                .toBigInteger().longValue();
        final int s = shift;
        return hv.update(p -> {
            PageField.COUNTER_VALUE.write(p, c1);
            PageField.COUNTER_PERIOD_SHIFT.write(p, s);
            PageField.COUNTER_PERIOD_FRAC_SEC.write(p, fracBits);
            PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.write(p, estRate);
            PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.write(p, maxRate);
            PageField.TIME_SEC.write(p, timeSec);
            PageField.TIME_FRAC_SEC.write(p, timeFrac);
            PageField.TIME_ESTERROR_NANOSEC.write(p, TIME_ESTERROR_NS);
            PageField.TIME_MAXERROR_NANOSEC.write(p, TIME_MAXERROR_NS);
            PageField.CLOCK_STATUS.write(p, ClockStatus.SYNCHRONIZED.value());
            PageField.FLAGS.write(p, Flags.of(Flag.TAI_OFFSET_VALID, Flag.PERIOD_ESTERROR_VALID, Flag.PERIOD_MAXERROR_VALID,
                    Flag.TIME_ESTERROR_VALID, Flag.TIME_MAXERROR_VALID, Flag.TIME_MONOTONIC).raw());
        });
    }

    /**
     * Re-anchors a published clock to now: a new counter_value/time pair from one guest TSC sample, the
     * calibrated period kept. What a hypervisor does after the guest's counter stood still or went back
     * (savevm, loadvm, a restore, a pause): the page must keep telling the time.
     */
    public VmclockPage reanchor(GuestAgent guest, HypervisorWriter hv) {
        TscSample sample = TscSample.take(guest);
        Instant now = sample.hostTime();
        long counter = sample.tsc();
        BigDecimal tai = referenceTime(now);
        long timeSec = tai.toBigInteger().longValue();
        long timeFrac = fraction(tai, timeSec);
        return hv.update(p -> {
            PageField.COUNTER_VALUE.write(p, counter);
            PageField.TIME_SEC.write(p, timeSec);
            PageField.TIME_FRAC_SEC.write(p, timeFrac);
        });
    }

    /**
     * A routine update while the counter runs on (no disruption): a new counter_value/time pair from a
     * fresh sample, the period kept. A correct writer keeps the promises of the page it replaces: the new
     * time at the new counter_value may move forward from the old page's time there by at most half the
     * old maximum error (so every earlier counter reading keeps a time within its earlier bounds,
     * VMC-ERR-03), and never back (TIME_MONOTONIC, VMC-FLAGS-10, VMC-FLAGS-11). The evidence of a check
     * says what the sample itself suggested. STEPS_BACK steps a second back instead.
     */
    public Update update(GuestAgent guest, HypervisorWriter hv) {
        VmclockPage old = hv.read();
        TscSample sample = TscSample.take(guest);
        long counter = sample.tsc();
        BigDecimal was = ClockMath.timeAt(old, counter);
        BigDecimal measured = referenceTime(sample.hostTime()).subtract(was);
        BigDecimal step = this == STEPS_BACK ? BigDecimal.ONE.negate()
                : measured.max(BigDecimal.ZERO).min(ClockMath.unsigned(old.timeMaxerrorNanosec()).movePointLeft(9)
                        .divide(BigDecimal.valueOf(2)));
        // Rounded up to the next 2^-64 s: a truncated fraction would put a zero step a hair before the old time.
        BigDecimal time = was.add(step);
        BigInteger units = time.multiply(TWO_64).setScale(0, RoundingMode.CEILING).toBigInteger();
        long timeSec = units.shiftRight(64).longValue();
        long timeFrac = units.longValue();
        VmclockPage updated = hv.update(p -> {
            PageField.COUNTER_VALUE.write(p, counter);
            PageField.TIME_SEC.write(p, timeSec);
            PageField.TIME_FRAC_SEC.write(p, timeFrac);
        });
        return new Update(old, updated, measured, step, sample.roundTripNanos());
    }

    /** A routine update: the pages before and after, the sample's offset from the old page, the step taken. */
    public record Update(VmclockPage before, VmclockPage after, BigDecimal measuredOffset, BigDecimal step,
            long sampleRoundTripNanos) {
        @Override
        public String toString() {
            return "routine clock update: counter_value " + after.counterValue() + ", seq_count " + before.seqCount()
                    + " -> " + after.seqCount() + "; the sample (agent round trip " + sampleRoundTripNanos / 1000
                    + " us) put the time " + measuredOffset + " s from the old page's; stepped " + step + " s";
        }
    }

    /** The TAI time this writer publishes for host time {@code hostTime} (UTC + 37): off by 2 s for TIME_OFF. */
    private BigDecimal referenceTime(Instant hostTime) {
        BigDecimal tai = BigDecimal.valueOf(hostTime.getEpochSecond() + ClockMath.TAI_MINUS_UTC)
                .add(BigDecimal.valueOf(hostTime.getNano()).movePointLeft(9));
        return this == TIME_OFF ? tai.add(BigDecimal.valueOf(2)) : tai;
    }

    /** The part of {@code time} after {@code seconds}, as time_frac_sec (units of 2^-64 s). */
    private static long fraction(BigDecimal time, long seconds) {
        return time.subtract(new BigDecimal(seconds)).multiply(TWO_64).toBigInteger().longValue();
    }
}
