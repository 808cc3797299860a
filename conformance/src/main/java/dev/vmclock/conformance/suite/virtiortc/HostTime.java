package dev.vmclock.conformance.suite.virtiortc;

import java.time.Instant;

/** The host's UTC (CLOCK_REALTIME, which QEMU's and the JVM's clocks share) in nanoseconds since the epoch. */
final class HostTime {

    /** TAI - UTC since 2017-01-01 (IERS Bulletin C: no leap second announced since). */
    static final long TAI_MINUS_UTC_NS = 37_000_000_000L;

    private HostTime() {
    }

    static long utcNanos() {
        return toNanos(Instant.now());
    }

    static long toNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static String seconds(long nanos) {
        return String.format("%.6f s", nanos / 1e9);
    }
}
