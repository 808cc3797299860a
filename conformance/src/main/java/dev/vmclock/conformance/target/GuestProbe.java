package dev.vmclock.conformance.target;

import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.GuestClocks;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.GuestSession;
import java.util.ArrayList;
import java.util.List;

/**
 * What the guest saw at one moment of the run's history: the page through its read() of /dev/vmclock0
 * (or why it could not), and its clocks. Taken right before and right after each event of the history,
 * so that checks about what the guest sees across an event need no event of their own.
 *
 * @param clocks CLOCK_MONOTONIC and each vCPU's TSC; more than one sample where the TSC phase is judged
 */
public record GuestProbe(GuestPageRead read, AgentException readFailure, List<GuestClocks> clocks) {

    /** One read of the page and {@code clockSamples} readings of the clocks, in that order. */
    static GuestProbe take(GuestSession guest, int clockSamples) {
        GuestPageRead read = null;
        AgentException failure = null;
        try {
            read = guest.read();
        } catch (AgentException e) {
            failure = e; // no /dev/vmclock0, or no consistent page: the checks that need it say which
        }
        List<GuestClocks> clocks = new ArrayList<>();
        for (int i = 0; i < clockSamples; i++) {
            clocks.add(guest.clocks());
        }
        return new GuestProbe(read, failure, List.copyOf(clocks));
    }

    /** The page the guest read; mapped by {@link VmclockView#inGuest} when the guest could not read it. */
    public GuestPageRead page(VmclockView view) {
        return view.inGuest(() -> {
            if (readFailure != null) {
                throw readFailure;
            }
            return read;
        });
    }

    /** The guest's CLOCK_MONOTONIC at this moment (ns). */
    public long monotonicNanos() {
        return clocks.get(0).monotonicNanos();
    }
}
