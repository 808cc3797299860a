package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * One {@code RTC_RD_TIME} of an RTC class device in the guest, bracketed by the guest's CLOCK_MONOTONIC and
 * CLOCK_REALTIME right before and right after the ioctl.
 *
 * @param time         the time read (ISO, {@code 2026-12-07T06:29:01}); empty when refused
 * @param epochSeconds the same as seconds since 1970, taking the RTC to count UTC; empty when refused
 * @param errno        the error of a refused read
 */
public record RtcReading(Optional<String> time, Optional<Long> epochSeconds, Optional<String> errno,
                         long monotonicBeforeNanos, long monotonicAfterNanos, long realtimeBeforeNanos,
                         long realtimeAfterNanos) {

    public boolean ok() {
        return epochSeconds.isPresent();
    }

    /** How long the ioctl took in the guest (one READ request through the driver and the device). */
    public long durationNanos() {
        return monotonicAfterNanos - monotonicBeforeNanos;
    }

    @Override
    public String toString() {
        return (ok() ? time.orElse("?") + " (" + epochSeconds.get() + " s)" : "refused " + errno.orElse("?"))
                + " in " + durationNanos() / 1000 + " us at guest monotonic " + monotonicBeforeNanos;
    }
}
