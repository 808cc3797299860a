package dev.vmclock.harness.guest;

import java.util.Optional;

/**
 * Back-to-back clock_gettime reads of one PTP clock in the guest (no agent round trip between them).
 *
 * @param backwards       how many readings were earlier than the one before
 * @param maxBackwardsNanos the largest such step back
 * @param minStepNanos    the smallest difference between consecutive readings (negative when it went back)
 * @param errno           the error that ended the series early, if any
 */
public record PtpSeries(PtpClock clock, long reads, long backwards, long maxBackwardsNanos, long minStepNanos,
                        long firstNanos, long lastNanos, long elapsedNanos, Optional<String> errno) {
}
