package dev.vmclock.harness.page;

import java.time.Duration;

/** A page read under the seq_count protocol: the consistent page, how many attempts were discarded, time taken. */
public record SeqlockRead(VmclockPage page, int retries, Duration elapsed) {
}
