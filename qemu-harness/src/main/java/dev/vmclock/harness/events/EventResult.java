package dev.vmclock.harness.events;

import dev.vmclock.harness.qmp.QmpTranscript;
import java.time.Duration;
import java.util.List;

/**
 * What one lifecycle event did: which event, how long it took from the first command to the machine
 * being back in its steady state, how it was carried out, and the QMP lines exchanged meanwhile.
 */
public record EventResult(LifecycleEvent event, Duration elapsed, String how, List<QmpTranscript.Entry> qmp) {

    @Override
    public String toString() {
        return event + " in " + elapsed.toMillis() + " ms via " + how;
    }
}
