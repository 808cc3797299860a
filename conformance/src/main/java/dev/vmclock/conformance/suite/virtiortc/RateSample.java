package dev.vmclock.conformance.suite.virtiortc;

import dev.vmclock.conformance.view.VirtioRtcView;

/**
 * Two readings of one clock some time apart, each bracketed by the host's monotonic clock, so the host time
 * between them is known to lie in [{@link #minHostNs}, {@link #maxHostNs}] however slow the round trips were.
 */
record RateSample(int clockId, long readingDelta, long minHostNs, long maxHostNs) {

    static RateSample of(VirtioRtcView rtc, int clockId, long sleepMs) throws InterruptedException {
        long a0 = System.nanoTime();
        long r0 = rtc.reading(clockId);
        long a1 = System.nanoTime();
        Thread.sleep(sleepMs);
        long b0 = System.nanoTime();
        long r1 = rtc.reading(clockId);
        long b1 = System.nanoTime();
        return new RateSample(clockId, r1 - r0, b0 - a1, b1 - a0);
    }

    /** True when the reading advanced by {@code rate} times the host time, within {@code tolerance} (relative). */
    boolean consistentWithRate(double rate, double tolerance) {
        return readingDelta >= minHostNs * rate * (1 - tolerance) && readingDelta <= maxHostNs * rate * (1 + tolerance);
    }

    @Override
    public String toString() {
        return "reading advanced " + readingDelta + " ns while the host's clock advanced between " + minHostNs + " and "
                + maxHostNs + " ns";
    }
}
