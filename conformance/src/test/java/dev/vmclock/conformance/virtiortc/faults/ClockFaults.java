package dev.vmclock.conformance.virtiortc.faults;

import static dev.vmclock.conformance.virtiortc.faults.RequestFaults.is;

import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.virtio.Le;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.harness.virtio.rtc.MsgType;
import dev.vmclock.harness.virtio.rtc.SmearingVariant;
import dev.vmclock.harness.virtio.rtc.Status;
import java.util.function.LongUnaryOperator;

/**
 * Broken clocks made from QEMU's one UTC clock: CLOCK_CAP is rewritten to another type or smearing variant, and
 * READ's clock_reading through a function of the real reading, so the checks for TAI, MONOTONIC and smeared
 * clocks run against a device that has such a clock.
 */
public final class ClockFaults {

    private ClockFaults() {
    }

    /** Clock 0 described as {@code type} with {@code smearing}; its complete OK READ readings mapped by {@code reading}. */
    abstract static class RewrittenClock extends ResponseRewriter {
        private final int type;
        private final int smearing;

        RewrittenClock(IoBus d, int type, int smearing) {
            super(d);
            this.type = type;
            this.smearing = smearing;
        }

        /** The reading this clock answers for the device's real one. */
        abstract long reading(long real);

        @Override
        void rewrite(Response r) {
            if (r.clockId() != 0 || r.status() != Status.OK.code()) {
                return;
            }
            if (is(r, MsgType.REQ_CLOCK_CAP) && r.bytes.length > 9) {
                r.bytes[8] = (byte) type;
                r.bytes[9] = (byte) smearing;
            } else if (is(r, MsgType.REQ_READ) && r.bytes.length >= 16 && r.usedLength >= 16) {
                Le.putLong(r.bytes, 8, reading(Le.u64(r.bytes, 8)));
            }
        }
    }

    static IoBus clock(IoBus d, ClockType type, SmearingVariant smearing, LongUnaryOperator reading) {
        return clock(d, type.code(), smearing.code(), reading);
    }

    static IoBus clock(IoBus d, int type, int smearing, LongUnaryOperator reading) {
        return new RewrittenClock(d, type, smearing) {
            long reading(long real) {
                return reading.applyAsLong(real);
            }
        };
    }

    /** The UTC clock names a smearing variant (NOON_LINEAR), which only a UTC_SMEARED clock may. */
    public static final class SmearingOnUtcClock implements VirtioRtcFault {
        public String id() {
            return "smearing-on-utc-clock";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.UTC, SmearingVariant.NOON_LINEAR, r -> r);
        }
    }

    /** A UTC_SMEARED clock whose leap_second_smearing is 5, neither a variant nor implementation-specific. */
    public static final class SmearedClockWithoutVariant implements VirtioRtcFault {
        public String id() {
            return "smeared-clock-without-variant";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.UTC_SMEARED.code(), 5, r -> r);
        }
    }

    /** The UTC clock reads 1.5 s ahead of UTC: within the 2 s that any UTC-like clock gets, not the 1 s of UTC. */
    public static final class UtcAhead implements VirtioRtcFault {
        public String id() {
            return "utc-1.5s-ahead";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.UTC, SmearingVariant.UNSPECIFIED, r -> r + 1_500_000_000L);
        }
    }

    /** The UTC clock counts the 27 leap seconds since 1972 (seconds since the epoch as TAI - 10 s would). */
    public static final class UtcCountsLeapSeconds implements VirtioRtcFault {
        public String id() {
            return "utc-counts-leap-seconds";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.UTC, SmearingVariant.UNSPECIFIED, r -> r + 27_000_000_000L);
        }
    }

    /** A TAI clock that reads UTC (37 s behind TAI). */
    public static final class TaiReadsUtc implements VirtioRtcFault {
        public String id() {
            return "tai-reads-utc";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.TAI, SmearingVariant.UNSPECIFIED, r -> r);
        }
    }

    /** A MONOTONIC clock ticking at half the rate of SI seconds. */
    public static final class MonotonicHalfRate implements VirtioRtcFault {
        public String id() {
            return "monotonic-half-rate";
        }

        public IoBus wrap(IoBus d) {
            return clock(d, ClockType.MONOTONIC, SmearingVariant.UNSPECIFIED, r -> r / 2);
        }
    }

    /** A MONOTONIC clock whose epoch is its first READ after the reset (it reads 0 there), not the reset or before. */
    public static final class MonotonicEpochAfterReset implements VirtioRtcFault {
        public String id() {
            return "monotonic-epoch-after-reset";
        }

        public IoBus wrap(IoBus d) {
            return new RewrittenClock(d, ClockType.MONOTONIC.code(), 0) {
                long epoch = -1;

                @Override
                void onReset() {
                    epoch = -1;
                }

                long reading(long real) {
                    if (epoch < 0) {
                        epoch = real;
                    }
                    return real - epoch;
                }
            };
        }
    }

    /** A MONOTONIC clock whose every fifth READ since the reset answers 1 ns less than the READ before it. */
    public static final class MonotonicStepsBack implements VirtioRtcFault {
        public String id() {
            return "monotonic-steps-back";
        }

        public IoBus wrap(IoBus d) {
            return new RewrittenClock(d, ClockType.MONOTONIC.code(), 0) {
                int reads;
                long last;

                @Override
                void onReset() {
                    reads = 0;
                }

                long reading(long real) {
                    last = reads++ % 5 == 4 ? last - 1 : real;
                    return last;
                }
            };
        }
    }
}
