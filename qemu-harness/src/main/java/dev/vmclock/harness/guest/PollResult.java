package dev.vmclock.harness.guest;

import java.util.List;

/** What poll() on {@code /dev/vmclock0} returned inside the guest. */
public record PollResult(List<String> revents, boolean timedOut, long elapsedNanos, long seqCountAfterWake) {

    public boolean readable() {
        return revents.contains("POLLIN");
    }

    public boolean hungUp() {
        return revents.contains("POLLHUP");
    }
}
