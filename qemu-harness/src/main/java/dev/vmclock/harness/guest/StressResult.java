package dev.vmclock.harness.guest;

/** A tight seqlock read loop in the guest: attempts discarded, and reads that were torn despite an even, unchanged seq_count. */
public record StressResult(long iterations, long retries, long torn, long elapsedNanos) {
}
