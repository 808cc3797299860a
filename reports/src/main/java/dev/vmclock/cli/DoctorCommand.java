package dev.vmclock.cli;

import dev.vmclock.conformance.qemu.TargetConfig;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.qemu.QemuContainer;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code doctor}: which QEMU, its version, its time devices, the accelerator and why. */
@Command(name = "doctor", sortOptions = false, abbreviateSynopsis = true, description = {
        "Print the QEMU in use, its version, whether it has vmclock, the accelerator"
        + " and why."})
final class DoctorCommand implements Callable<Integer> {

    @Mixin
    TargetArgs target;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    DoctorCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        // Resolved as a run resolves it, but boots nothing, builds no image and asks for no device, so that what
        // QEMU lacks is printed before it is refused.
        TargetConfig t = TargetConfig.resolve(target.options(NO_DEVICES), TargetConfig.GuestNeed.NONE);
        out.println("qemu:        " + t.qemu().path());
        if (t.qemu().host() instanceof QemuContainer) {
            out.println("container:   " + t.qemu().host().describe());
        }
        out.println("version:     " + t.qemu().version());
        out.println("vmclock:     " + (t.qemu().hasDevice("vmclock") ? "present" : "ABSENT (QEMU >= 10.0 needed)"));
        out.println("virtio-rtc:  " + (t.qemu().hasDevice("virtio-rtc-pci") ? "present" : "absent"));
        out.println("accelerator: " + t.accelerator());
        t.qemu().requireVmclock();
        return ExitCode.OK.code();
    }

    private static final Map<String, String> NO_DEVICES = Map.of("device", "false", "virtioRtc", "false");
}
