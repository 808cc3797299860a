package dev.vmclock.harness.qemu;

/** The accelerator the probe settled on, and why: printed by {@code doctor}, recorded in reports. */
public record AcceleratorChoice(Accelerator accelerator, String reason) {
    @Override
    public String toString() {
        return accelerator.qemuName() + " (" + reason + ")";
    }
}
