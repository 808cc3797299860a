package dev.vmclock.cli;

import dev.vmclock.harness.ExitCode;
import java.io.PrintStream;
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
        Target t = Target.from(target.options());
        out.println("qemu:        " + t.qemu().path());
        t.container().ifPresent(c -> out.println("container:   " + t.qemu().host().describe()));
        out.println("version:     " + t.qemu().version());
        out.println("vmclock:     " + (t.qemu().hasDevice("vmclock") ? "present" : "ABSENT (QEMU >= 10.0 needed)"));
        out.println("virtio-rtc:  " + (t.qemu().hasDevice("virtio-rtc-pci") ? "present" : "absent"));
        out.println("accelerator: " + t.accelerator());
        t.requireVmclock();
        return ExitCode.OK.code();
    }
}
