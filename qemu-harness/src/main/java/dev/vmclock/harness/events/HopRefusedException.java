package dev.vmclock.harness.events;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;

/**
 * A cross-version hop QEMU itself refused: the destination would not start, or would not load the source's
 * state (machine type, device state). No verdict on the device: the test that drove the event is an ERROR whose
 * message quotes QEMU's own words ({@link #qemuSays()}), and the machine goes on running on the source.
 */
public final class HopRefusedException extends HarnessException {

    private final String qemuSays;

    public HopRefusedException(LifecycleEvent event, String hop, String qemuSays, String evidence) {
        super(ExitCode.HARNESS_ERROR, "QEMU refused the cross-version hop (" + event + ", " + hop + "): " + qemuSays
                + " (no VMClock verdict; the machine keeps running on the source" + (evidence.isEmpty() ? "" : "; " + evidence)
                + ")");
        this.qemuSays = qemuSays;
    }

    /** QEMU's own error line(s): the destination's stderr, query-migrate's error-desc or the job's error. */
    public String qemuSays() {
        return qemuSays;
    }
}
