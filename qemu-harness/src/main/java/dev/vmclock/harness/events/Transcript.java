package dev.vmclock.harness.events;

import java.time.Instant;

/**
 * What the suite asked of the hypervisor and what it answered, a line each, whatever its interface: QMP lines for
 * QEMU, API requests for Firecracker or Cloud Hypervisor, an adapter's exchange. Kept as the evidence of events.
 */
public final class Transcript {

    private Transcript() {
    }

    /** Which way a line went. */
    public enum Direction { TO_VMM, FROM_VMM }

    /** One line, with the time it was sent or received. */
    public record Line(Instant at, Direction direction, String text) {
        @Override
        public String toString() {
            return at + (direction == Direction.TO_VMM ? " -> " : " <- ") + text;
        }
    }
}
