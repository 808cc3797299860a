package dev.vmclock.harness.guest;

import java.util.List;

/**
 * What poll() on {@code /dev/vmclock0} returned inside the guest, with the page's seq_count and
 * disruption_marker read raw (no seq_count loop) right after it returned.
 */
public record PollResult(List<String> revents, boolean timedOut, long elapsedNanos, long seqCountAfterWake,
                         long markerAfterWake) {

    public boolean readable() {
        return revents.contains("POLLIN");
    }

    public boolean hungUp() {
        return revents.contains("POLLHUP");
    }
}
