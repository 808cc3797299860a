package dev.vmclock.conformance.clock;

import dev.vmclock.harness.guest.GuestAgent;
import java.time.Instant;

/**
 * One guest TSC reading (vCPU 0) paired with the host's clocks at the middle of the agent round trip that
 * carried it. The round trip is the pairing's uncertainty: the guest read its TSC somewhere inside it.
 */
public record TscSample(long tsc, long hostNanos, Instant hostTime, long roundTripNanos) {

    private static final int TRIES = 5;

    /** The best pairing of a few tries: the shortest round trip (a descheduled guest or host only widens it). */
    public static TscSample take(GuestAgent guest) {
        TscSample best = null;
        for (int i = 0; i < TRIES; i++) {
            Instant wall = Instant.now();
            long h0 = System.nanoTime();
            long tsc = guest.clocks().tsc().get(0).tsc();
            long rtt = System.nanoTime() - h0;
            if (best == null || rtt < best.roundTripNanos()) {
                best = new TscSample(tsc, h0 + rtt / 2, wall.plusNanos(rtt / 2), rtt);
            }
        }
        return best;
    }
}
