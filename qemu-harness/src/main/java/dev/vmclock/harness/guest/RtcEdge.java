package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * An RTC's tick seen in the guest: {@code RTC_RD_TIME} back to back until the second read changed. The tick lies
 * between the start of the last read showing the old second and the end of the first showing the new one (guest
 * CLOCK_MONOTONIC): {@link #earliestNanos()}, {@link #latestNanos()}.
 *
 * @param errno        ETIMEDOUT when the second did not change within the agent's limit, or a read's error
 * @param reads        how many reads it took
 * @param maxReadNanos the slowest of them
 */
public record RtcEdge(Optional<String> errno, RtcReading before, RtcReading after, int reads, long maxReadNanos) {

    public boolean ok() {
        return errno.isEmpty();
    }

    /** The new second. */
    public long second() {
        return after.epochSeconds().orElseThrow();
    }

    /** How many seconds the clock advanced at the tick (1 for a clock that does not step). */
    public long step() {
        return after.epochSeconds().orElseThrow() - before.epochSeconds().orElseThrow();
    }

    public long earliestNanos() {
        return before.monotonicBeforeNanos();
    }

    public long latestNanos() {
        return after.monotonicAfterNanos();
    }

    @Override
    public String toString() {
        return ok() ? String.format("tick %d -> %d within guest monotonic [%d, %d] (%.3f ms wide; %d reads, slowest %.3f ms)",
                before.epochSeconds().orElseThrow(), second(), earliestNanos(), latestNanos(),
                (latestNanos() - earliestNanos()) / 1e6, reads, maxReadNanos / 1e6)
                : "no tick (" + errno.get() + ", " + reads + " reads)";
    }
}
