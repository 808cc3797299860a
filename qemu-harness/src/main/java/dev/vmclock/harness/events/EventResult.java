package dev.vmclock.harness.events;

import java.time.Duration;
import java.util.List;

/**
 * What one lifecycle event did: which event, how long it took from the first command to the machine
 * being back in its steady state, how it was carried out, and what was asked of the hypervisor meanwhile
 * (QEMU: the QMP lines).
 */
public record EventResult(LifecycleEvent event, Duration elapsed, String how, List<Transcript.Line> transcript) {

    @Override
    public String toString() {
        return event + " in " + elapsed.toMillis() + " ms via " + how;
    }
}
